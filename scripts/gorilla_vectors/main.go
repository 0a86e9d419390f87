// Command gorilla_vectors writes testdata/vectors/gorilla_*.json with the real gorilla/sessions CookieStore
// (Debian's golang-github-gorilla-sessions-dev 1.2, securecookie 1.1, Go 1.19; GOPATH mode), and reads
// cookies our gorilla format made.
//
//	gorilla_vectors --out DIR        write the vector files
//	gorilla_vectors --check DIR      the committed files must be what this run writes (random IVs masked),
//	                                 and every committed request cookie must open in gorilla as recorded
//	gorilla_vectors --read-ours FILE gorilla opens each of our cookies to the expected session and Go types
//
// securecookie takes its time from time.Now(); every store here has its clock fixed (its unexported timeFunc,
// set through reflect), so the cookies are deterministic but for the block key's random IV. gob type ids are
// assigned per process: a known answer (`known_answer.cookie`) is made in a fresh process (`--one NAME`), as a
// Go service's first session would be.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"time"
	"unsafe"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
)

// NOW is the vectors' clock (Unix seconds).
const NOW = 1700000000

// User is an app's own registered type, which the Rust side cannot represent and must keep.
type User struct {
	Name string
	Age  int
	Tags []string
}

func init() {
	gob.Register(map[string]interface{}{})
	gob.Register([]interface{}{})
	gob.Register(time.Time{})
	gob.Register(User{})
}

const (
	hashKey    = "gorilla-hash-key-current-0001"
	oldHashKey = "gorilla-hash-key-old-0000"
	blockKey   = "gorilla-block-key-32-bytes-00001"
	name       = "session-name"
)

// fixClock sets a SecureCookie's unexported timeFunc.
func fixClock(codecs []securecookie.Codec, now int64) {
	for _, c := range codecs {
		v := reflect.ValueOf(c).Elem().FieldByName("timeFunc")
		reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem().Set(reflect.ValueOf(func() int64 { return now }))
	}
}

// pairs is a store's key pairs: hash keys, each with the block key when encrypted.
func store(now int64, encrypted bool, hashKeys ...string) *sessions.CookieStore {
	var pairs [][]byte
	for _, k := range hashKeys {
		var block []byte
		if encrypted {
			block = []byte(blockKey)
		}
		pairs = append(pairs, []byte(k), block)
	}
	s := sessions.NewCookieStore(pairs...)
	fixClock(s.Codecs, now)
	return s
}

// sessionsByName are the sessions the vectors hold, as a Go app stores them.
func sessionsByName(n string) map[interface{}]interface{} {
	switch n {
	case "plain":
		return map[interface{}]interface{}{"user": "alice"}
	case "int64":
		return map[interface{}]interface{}{"n": int64(5)}
	case "nested":
		return map[interface{}]interface{}{"l": []interface{}{1, map[string]interface{}{"a": 1, "b": "x"}}}
	case "time":
		return map[interface{}]interface{}{"t": time.Unix(NOW-3600, 0).UTC()}
	case "struct":
		return map[interface{}]interface{}{"u": User{"bob", 3, []string{"admin"}}}
	case "strings":
		return map[interface{}]interface{}{"s": []string{"x", "y"}}
	case "kinds":
		return map[interface{}]interface{}{
			"user": "bob", "i": 7, "i64": int64(-7), "i8": int8(-8), "u8": uint8(200), "u64": uint64(18446744073709551615),
			"f32": float32(1.5), "f64": 2.5, "ok": true, "none": nil, "bytes": []byte("hi"), "tags": []string{"a", "b"},
			"list": []interface{}{1, "x", map[string]interface{}{"k": int64(1)}},
			"when": time.Unix(NOW-3600, 0).UTC(), "local": time.Unix(NOW, 5).In(time.FixedZone("X", 3600)),
			"profile": User{"bob", 3, []string{"admin"}},
		}
	}
	panic("no session " + n)
}

// view is a Go value as our model shows it in plain JSON (pyjson's compact dumps): Go's other kinds as their
// plain value, an app's struct as null, bytes as a list of numbers, a time as its HTTP date.
func view(v interface{}) interface{} {
	switch x := v.(type) {
	case nil, string, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float64:
		return x
	case float32:
		return float64(x)
	case []byte:
		out := []int{}
		for _, b := range x {
			out = append(out, int(b))
		}
		return out
	case []string:
		return x
	case []interface{}:
		out := []interface{}{}
		for _, e := range x {
			out = append(out, view(e))
		}
		return out
	case map[string]interface{}:
		out := map[string]interface{}{}
		for k, e := range x {
			out[k] = view(e)
		}
		return out
	case map[interface{}]interface{}:
		out := map[string]interface{}{}
		for k, e := range x {
			out[fmt.Sprint(k)] = view(e)
		}
		return out
	case time.Time:
		return x.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT")
	}
	return nil
}

func compact(v interface{}) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// types is each value's Go type, as `%T` prints it.
func types(values map[interface{}]interface{}) map[string]string {
	out := map[string]string{}
	for k, v := range values {
		out[fmt.Sprint(k)] = fmt.Sprintf("%T", v)
	}
	return out
}

// cookieFor is the value gorilla's store writes for a session (`session.Save`), at `now`.
func cookieFor(st *sessions.CookieStore, cookieName string, values map[interface{}]interface{}) string {
	encoded, err := securecookie.EncodeMulti(cookieName, values, st.Codecs...)
	if err != nil {
		panic(err)
	}
	return encoded
}

// cookieGobHex is the gob inside a signed-only securecookie value (base64 of "date|base64(gob)|mac"), in hex.
func cookieGobHex(cookie string) string {
	raw, err := base64.URLEncoding.DecodeString(cookie)
	if err != nil {
		panic(err)
	}
	parts := bytes.SplitN(raw, []byte("|"), 3)
	if len(parts) != 3 {
		panic("not a securecookie value")
	}
	g, err := base64.URLEncoding.DecodeString(string(parts[1]))
	if err != nil {
		panic(err)
	}
	return hex.EncodeToString(g)
}

// hostile wraps raw bytes as a session under a valid MAC (securecookie with the bytes as they are).
func hostile(raw []byte) string {
	sc := securecookie.New([]byte(hashKey), nil)
	sc.SetSerializer(securecookie.NopEncoder{})
	fixClock([]securecookie.Codec{sc}, NOW)
	encoded, err := sc.Encode(name, raw)
	if err != nil {
		panic(err)
	}
	return encoded
}

// Action is one step of a scenario's handler (the harness' ops).
type Action struct {
	Op     string      `json:"op"`
	Key    string      `json:"key,omitempty"`
	Value  interface{} `json:"value,omitempty"`
	Expect interface{} `json:"expect"`
}

// fromJSON is a JSON value as a Go handler stores it (numbers as int).
func fromJSON(v interface{}) interface{} {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return int(i)
		}
		f, _ := x.Float64()
		return f
	case float64:
		if x == float64(int(x)) {
			return int(x)
		}
		return x
	case []interface{}:
		out := []interface{}{}
		for _, e := range x {
			out = append(out, fromJSON(e))
		}
		return out
	case map[string]interface{}:
		out := map[string]interface{}{}
		for k, e := range x {
			out[k] = fromJSON(e)
		}
		return out
	}
	return v
}

// exchange runs one request through a gorilla app: the handler gets the session, runs the actions, saves
// when it changed anything; `clear` is a logout (`MaxAge = -1`, then `Save`).
func exchange(st *sessions.CookieStore, cookieName string, cookies []string, actions []Action) (int, []string, []interface{}) {
	var obs []interface{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := st.Get(r, cookieName)
		changed := false
		for _, a := range actions {
			switch a.Op {
			case "get":
				obs = append(obs, view(s.Values[a.Key]))
			case "contains":
				_, ok := s.Values[a.Key]
				obs = append(obs, ok)
			case "set":
				s.Values[a.Key] = fromJSON(a.Value)
				changed = true
			case "pop":
				delete(s.Values, a.Key)
				changed = true
			case "clear":
				s.Options.MaxAge = -1
				changed = true
			}
		}
		if changed {
			if err := s.Save(r, w); err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
		}
		if obs == nil {
			obs = []interface{}{}
		}
		w.Write([]byte(compact(obs)))
	})
	req := httptest.NewRequest("GET", "/", nil)
	for _, c := range cookies {
		req.Header.Add("Cookie", c)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Result().Header.Values("Set-Cookie"), obs
}

// parseSetCookie is a Set-Cookie line as the harness reads it. Expires, which gorilla computes from the wall
// clock (`time.Now()`), is replaced by the one at the vectors' fixed clock.
func parseSetCookie(line string, now int64, maxAge int) map[string]interface{} {
	parts := strings.Split(line, "; ")
	nv := strings.SplitN(parts[0], "=", 2)
	attrs := map[string]interface{}{}
	for _, p := range parts[1:] {
		kv := strings.SplitN(p, "=", 2)
		if len(kv) == 2 {
			attrs[kv[0]] = kv[1]
		} else {
			attrs[kv[0]] = true
		}
	}
	if _, ok := attrs["Expires"]; ok && maxAge > 0 && attrs["Max-Age"] != "0" {
		attrs["Expires"] = time.Unix(now+int64(maxAge), 0).UTC().Format(http.TimeFormat)
	}
	return map[string]interface{}{"name": nv[0], "value": nv[1], "attributes": attrs}
}

// Scenario is one case of the vector files.
type Scenario struct {
	ID, Comment   string
	Hash          []string // hash keys, current first
	Encrypted     bool
	Now           int64
	Cookies       []string
	Actions       []Action
	OursActions   []Action // when our handler sees other values (a divergence)
	Divergence    string
	OursSetCookie []map[string]interface{} // when we answer otherwise (a divergence); nil: as gorilla
	Known         map[string]interface{}
	CookieName    string
}

func (c Scenario) doc() map[string]interface{} {
	cookieName := c.CookieName
	if cookieName == "" {
		cookieName = name
	}
	st := store(c.Now, c.Encrypted, c.Hash...)
	status, lines, obs := exchange(st, cookieName, c.Cookies, c.Actions)
	var sets []map[string]interface{}
	for _, l := range lines {
		sc := parseSetCookie(l, c.Now, st.Options.MaxAge)
		sc["json"] = nil
		sc["timestamp"] = nil
		if strings.Contains(l, "Max-Age=0") {
			sc["value"] = ""
		} else {
			// What the cookie holds, read back by gorilla.
			var back map[interface{}]interface{}
			if err := securecookie.DecodeMulti(cookieName, sc["value"].(string), &back, st.Codecs...); err != nil {
				panic(err)
			}
			sc["json"] = compact(view(back))
			sc["timestamp"] = c.Now
		}
		sets = append(sets, sc)
	}
	if sets == nil {
		sets = []map[string]interface{}{}
	}
	actions := c.Actions
	if c.OursActions != nil {
		actions = c.OursActions
	}
	// Each action's expect: what gorilla's handler saw (or ours, in a divergence).
	i := 0
	out := []Action{}
	for _, a := range actions {
		if a.Op == "get" || a.Op == "contains" {
			if c.OursActions == nil {
				a.Expect = obs[i]
			}
			i++
		}
		out = append(out, a)
	}
	expected := sets
	if c.OursSetCookie != nil {
		expected = c.OursSetCookie
	}
	var div interface{}
	if c.Divergence != "" {
		div = c.Divergence
	}
	ours := map[string]interface{}{
		"secret_key": c.Hash[0], "fallbacks": c.Hash[1:], "cookie_name": cookieName, "lifetime_secs": st.Options.MaxAge,
		"path": "/", "domain": nil, "secure": false, "http_only": false, "same_site": nil,
	}
	if c.Encrypted {
		keys := []string{}
		for range c.Hash {
			keys = append(keys, blockKey)
		}
		ours["encryption_keys"] = keys
	}
	pairs := []map[string]interface{}{}
	for _, h := range c.Hash {
		p := map[string]interface{}{"hash_key": h, "block_key": nil}
		if c.Encrypted {
			p["block_key"] = blockKey
		}
		pairs = append(pairs, p)
	}
	d := map[string]interface{}{
		"id": c.ID, "comment": c.Comment, "kind": "scenario",
		"config": map[string]interface{}{"session_name": cookieName, "key_pairs": pairs, "MaxAge": st.Options.MaxAge, "Path": "/"},
		"ours":   ours, "now": c.Now, "request_cookies": append([]string{}, c.Cookies...), "actions": out,
		"framework":  map[string]interface{}{"status": status, "vary": []string{}, "set_cookie": sets, "observations": obs},
		"expected":   map[string]interface{}{"status": status, "vary": []string{}, "set_cookie": expected},
		"divergence": div,
	}
	if c.Known != nil {
		d["known_answer"] = c.Known
	}
	return d
}

func get(key string) Action                { return Action{Op: "get", Key: key} }
func has(key string) Action                { return Action{Op: "contains", Key: key} }
func set(key string, v interface{}) Action { return Action{Op: "set", Key: key, Value: v} }

// one makes a session's cookie in a fresh process: its gob (hex) and cookie value.
func one(session string) map[string]interface{} {
	out, err := exec.Command(os.Args[0], "--one", session).Output()
	if err != nil {
		panic(err)
	}
	var known map[string]interface{}
	if err := json.Unmarshal(out, &known); err != nil {
		panic(err)
	}
	return known
}

func req(v string) []string { return []string{name + "=" + v} }

func scenarios() []Scenario {
	cur := []string{hashKey}
	var out []Scenario
	for _, s := range []string{"plain", "int64", "nested", "time", "struct", "strings"} {
		known := one(s)
		out = append(out, Scenario{
			ID: "gorilla-known-" + s, Comment: "a cookie gorilla wrote in a fresh process (deterministic: fixed clock, one key, no block key); ours for the same session is byte for byte the same, and it opens to the same session",
			Hash: cur, Now: NOW, Cookies: req(known["cookie"].(string)), Actions: []Action{has(firstKey(sessionsByName(s)))}, Known: known,
		})
	}
	st := store(NOW, false, hashKey)
	kinds := cookieFor(st, name, sessionsByName("kinds"))
	out = append(out,
		Scenario{ID: "gorilla-new-session", Comment: "no cookie; the handler sets user: gorilla writes the cookie with Path=/, Expires and Max-Age (30 days)", Hash: cur, Now: NOW, Actions: []Action{set("user", "alice")}},
		Scenario{ID: "gorilla-kinds-read", Comment: "every kind the issue lists, and an app's struct: read (Go's other int kinds, float32, []string and the struct are kept as they came)", Hash: cur, Now: NOW, Cookies: req(kinds),
			Actions: []Action{get("user"), get("i"), get("i64"), get("i8"), get("u8"), get("u64"), get("f32"), get("f64"), get("ok"), get("none"), get("tags"), get("list"), has("profile"), has("when"), has("bytes")}},
		Scenario{ID: "gorilla-kinds-written-back", Comment: "every kind and an app's struct, one key added: written back with each value's Go type (what gorilla reads back)", Hash: cur, Now: NOW, Cookies: req(kinds), Actions: []Action{set("extra", "x")}},
		Scenario{ID: "gorilla-logout", Comment: "logout as a gorilla handler writes it (Options.MaxAge = -1, Save): Expires 1970-01-01 00:00:01 and Max-Age=0; gorilla still encodes the values into the cookie, we send it empty", Hash: cur, Now: NOW, Cookies: req(cookieFor(st, name, sessionsByName("plain"))), Actions: []Action{{Op: "clear"}}, Divergence: "logout-value-empty"},
		Scenario{ID: "gorilla-encrypted", Comment: "a block key (AES-256-CTR, random IV): read, then a key added and written (compared by decoding: the IV is random)", Hash: cur, Encrypted: true, Now: NOW, Cookies: req(cookieFor(store(NOW, true, hashKey), name, sessionsByName("plain"))), Actions: []Action{get("user"), set("n", 2)}},
		Scenario{ID: "gorilla-rotation", Comment: "a cookie of the old pair under (new, old): read; gorilla writes nothing, we re-sign with the current key", Hash: []string{hashKey, oldHashKey}, Now: NOW, Cookies: req(cookieFor(store(NOW, false, oldHashKey), name, sessionsByName("plain"))), Actions: []Action{get("user")}, Divergence: "resign-fallback"},
	)
	// The re-signed cookie we send: what gorilla would write with the current pair.
	last := &out[len(out)-1]
	rs := parseSetCookie(fmt.Sprintf("%s=%s; Path=/; Expires=x; Max-Age=%d", name, cookieFor(st, name, sessionsByName("plain")), 86400*30), NOW, 86400*30)
	rs["json"] = `{"user":"alice"}`
	rs["timestamp"] = NOW
	last.OursSetCookie = []map[string]interface{}{rs}
	return out
}

func firstKey(m map[interface{}]interface{}) string {
	for k := range m {
		return k.(string)
	}
	return ""
}

func tamper() []Scenario {
	cur := []string{hashKey}
	st := store(NOW, false, hashKey)
	plain := cookieFor(st, name, sessionsByName("plain"))
	flip := []byte(plain)
	if flip[10] == 'A' {
		flip[10] = 'B'
	} else {
		flip[10] = 'A'
	}
	other := cookieFor(store(NOW, false, "gorilla-hash-key-unknown-9"), name, sessionsByName("plain"))
	otherName := cookieFor(st, "other-name", sessionsByName("plain"))
	future := cookieFor(store(NOW+3600, false, hashKey), name, sessionsByName("plain"))
	var deep bytes.Buffer
	// []interface{} nested 100 deep: Go reads it, we refuse it (our nesting bound).
	var v interface{} = "x"
	for i := 0; i < 100; i++ {
		v = []interface{}{v}
	}
	gob.NewEncoder(&deep).Encode(map[interface{}]interface{}{"deep": v})
	userNull := []Action{get("user")}
	cases := []Scenario{
		{ID: "gorilla-tamper-value", Comment: "one character of the value changed: refused, nothing sent", Hash: cur, Now: NOW, Cookies: req(string(flip)), Actions: userNull},
		{ID: "gorilla-wrong-key", Comment: "made with another hash key: refused", Hash: cur, Now: NOW, Cookies: req(other), Actions: userNull},
		{ID: "gorilla-wrong-cookie-name", Comment: "made for the cookie other-name (the name is in the MAC): refused", Hash: cur, Now: NOW, Cookies: req(otherName), Actions: userNull},
		{ID: "gorilla-expired", Comment: "30 days and a second old: refused (securecookie's MaxAge)", Hash: cur, Now: NOW + 86400*30 + 1, Cookies: req(plain), Actions: userNull},
		{ID: "gorilla-not-yet-expired", Comment: "exactly 30 days old: still read", Hash: cur, Now: NOW + 86400*30, Cookies: req(plain), Actions: userNull},
		{ID: "gorilla-future", Comment: "written an hour in the future: gorilla reads it, we refuse a date more than 60 s ahead", Hash: cur, Now: NOW, Cookies: req(future), Actions: userNull, OursActions: []Action{{Op: "get", Key: "user", Expect: nil}}, Divergence: "future-refused"},
		{ID: "gorilla-too-long", Comment: "a value over 4096 characters: refused before anything else", Hash: cur, Now: NOW, Cookies: req(plain + strings.Repeat("A", 4100)), Actions: userNull},
		{ID: "gorilla-not-base64", Comment: "not URL-safe base64: refused", Hash: cur, Now: NOW, Cookies: req("%%%" + plain), Actions: userNull},
	}
	for _, h := range []struct {
		id, comment string
		raw         []byte
	}{
		{"gorilla-hostile-empty", "an empty gob under a valid MAC", []byte{}},
		{"gorilla-hostile-truncated", "Go's gob of the session cut short", mustGob(sessionsByName("plain"))[:20]},
		{"gorilla-hostile-huge-count", "a map claiming 2^62 entries", []byte{0x0e, 0xff, 0x81, 0x04, 0x01, 0x02, 0xff, 0x82, 0x00, 0x01, 0x10, 0x01, 0x10, 0x00, 0x00, 0x0b, 0xff, 0x82, 0x00, 0xf8, 0x40, 0, 0, 0, 0, 0, 0, 0}},
		{"gorilla-hostile-undefined-type", "a value of a type never defined", []byte{0x04, 0xff, 0x90, 0x00, 0x00}},
		{"gorilla-hostile-not-a-map", "a string at the top, not the session map", mustGob("x")},
		{"gorilla-hostile-int-key", "a map with an int key: gorilla reads it (contains \"1\" is false: the key is the int 1), we refuse the session (our sessions have string keys)", mustGob(map[interface{}]interface{}{1: "x"})},
	} {
		cases = append(cases, Scenario{ID: h.id, Comment: h.comment + "; an empty session", Hash: cur, Now: NOW, Cookies: req(hostile(h.raw)), Actions: userNull})
	}
	deepCase := Scenario{ID: "gorilla-hostile-deep", Comment: "a list nested 100 deep under a valid MAC: gorilla reads it, we refuse it (our nesting bound, 64)", Hash: cur, Now: NOW, Cookies: req(hostile(deep.Bytes())), Actions: []Action{has("deep")}, OursActions: []Action{{Op: "contains", Key: "deep", Expect: false}}, Divergence: "hostile-payload"}
	intKey := cases[len(cases)-1]
	intKey.Actions = []Action{has("1")}
	cases[len(cases)-1] = intKey
	return append(cases, deepCase)
}

func mustGob(v interface{}) []byte {
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(v); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func documents() map[string]interface{} {
	file := func(fname, comment string, cases []Scenario) interface{} {
		docs := []interface{}{}
		for _, c := range cases {
			docs = append(docs, c.doc())
		}
		return map[string]interface{}{
			"file": fname, "format": "gorilla",
			"source":  "scripts/gorilla_vectors with gorilla/sessions 1.2.1, securecookie 1.1.1, Go " + strings.TrimPrefix(runtimeVersion(), "go") + " (Debian; clock fixed)",
			"comment": comment, "cases": docs,
		}
	}
	return map[string]interface{}{
		"gorilla_scenarios.json": file("gorilla_scenarios.json", "Sessions through a real net/http handler on gorilla/sessions' CookieStore (httptest, securecookie's clock fixed at now; Expires, which gorilla takes from the wall clock, recomputed at now). known_answer: a session's gob and cookie made in a fresh Go process, which ours must equal byte for byte. divergences: logout-value-empty, resign-fallback.", scenarios()),
		"gorilla_tamper.json":    file("gorilla_tamper.json", "Tampered, foreign, expired, oversized and hostile cookies through the same gorilla handler: each refused as an empty session. divergences: future-refused, hostile-payload.", tamper()),
	}
}

func render(v interface{}) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// masked is a document with every cookie value masked but those of the known answers (a
// session of several keys is written in Go's random map order, an encrypted one under a random IV; the
// replay proves them).
func masked(text []byte) string {
	var doc map[string]interface{}
	json.Unmarshal(text, &doc)
	for _, c := range doc["cases"].([]interface{}) {
		cm := c.(map[string]interface{})
		if _, known := cm["known_answer"]; known {
			continue
		}
		for i, r := range cm["request_cookies"].([]interface{}) {
			cm["request_cookies"].([]interface{})[i] = strings.SplitN(r.(string), "=", 2)[0] + "=<value>"
		}
		for _, part := range []string{"framework", "expected"} {
			for _, s := range cm[part].(map[string]interface{})["set_cookie"].([]interface{}) {
				sm := s.(map[string]interface{})
				if sm["value"] != "" {
					sm["value"] = "<value>"
				}
			}
		}
	}
	return string(render(doc))
}

// replay sends each committed case's request cookies to gorilla again: it must see what was recorded.
func replay(text []byte) []string {
	var doc struct {
		Cases []struct {
			ID             string
			Now            int64
			RequestCookies []string `json:"request_cookies"`
			Actions        []Action
			Config         struct {
				SessionName string `json:"session_name"`
				KeyPairs    []struct {
					HashKey  string  `json:"hash_key"`
					BlockKey *string `json:"block_key"`
				} `json:"key_pairs"`
			}
			Framework struct {
				Observations []interface{}
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return []string{err.Error()}
	}
	var problems []string
	for _, c := range doc.Cases {
		hashes := []string{}
		for _, p := range c.Config.KeyPairs {
			hashes = append(hashes, p.HashKey)
		}
		st := store(c.Now, len(c.Config.KeyPairs) > 0 && c.Config.KeyPairs[0].BlockKey != nil, hashes...)
		_, _, obs := exchange(st, c.Config.SessionName, c.RequestCookies, c.Actions)
		if obs == nil {
			obs = []interface{}{}
		}
		want := c.Framework.Observations
		if want == nil {
			want = []interface{}{}
		}
		if compact(obs) != compact(want) {
			problems = append(problems, fmt.Sprintf("%s: gorilla now sees %s, recorded %s", c.ID, compact(obs), compact(want)))
		}
	}
	return problems
}

func runtimeVersion() string {
	out, _ := exec.Command("go", "env", "GOVERSION").Output()
	v := strings.TrimSpace(string(out))
	if v == "" {
		return "go1.19"
	}
	return v
}

// readOurs opens each of our cookies in gorilla: the session must be the expected one, each value of the
// expected Go type.
func readOurs(path string) int {
	text, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	var cases []struct {
		ID, Name      string
		HashKeys      []string `json:"hash_keys"`
		Encrypted     bool
		Now           int64
		Cookie        string
		ExpectSession string            `json:"expect_session"`
		ExpectGoTypes map[string]string `json:"expect_go_types"`
	}
	if err := json.Unmarshal(text, &cases); err != nil {
		panic(err)
	}
	failed := 0
	for _, c := range cases {
		st := store(c.Now, c.Encrypted, c.HashKeys...)
		var values map[interface{}]interface{}
		err := securecookie.DecodeMulti(c.Name, c.Cookie, &values, st.Codecs...)
		got := ""
		if err == nil {
			got = compact(view(values))
		}
		problems := []string{}
		if err != nil {
			problems = append(problems, "refused: "+err.Error())
		} else if got != c.ExpectSession {
			problems = append(problems, fmt.Sprintf("session %s, expected %s", got, c.ExpectSession))
		}
		gotTypes := types(values)
		keys := []string{}
		for k := range c.ExpectGoTypes {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if gotTypes[k] != c.ExpectGoTypes[k] {
				problems = append(problems, fmt.Sprintf("%s is a %s, expected %s", k, gotTypes[k], c.ExpectGoTypes[k]))
			}
		}
		if len(problems) > 0 {
			failed++
			fmt.Printf("FAIL %s: %s\n", c.ID, strings.Join(problems, "; "))
		} else {
			fmt.Printf("ok   %s\n", c.ID)
		}
	}
	fmt.Printf("gorilla read %d of our cookies, %d failed\n", len(cases), failed)
	if failed > 0 {
		return 1
	}
	return 0
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gorilla_vectors --out DIR | --check DIR | --read-ours FILE")
		os.Exit(2)
	}
	flag, arg := os.Args[1], os.Args[2]
	switch flag {
	case "--one":
		values := sessionsByName(arg)
		st := store(NOW, false, hashKey)
		// gob writes a map in Go's random iteration order, so a session holding a map of several keys has
		// several encodings. Of 64, the smallest is the known answer: for a map's keys that is their sorted
		// order, which is the order ours writes. The cookie is the one carrying that gob.
		best := ""
		for i := 0; i < 64; i++ {
			var b bytes.Buffer
			gob.NewEncoder(&b).Encode(values)
			if h := hex.EncodeToString(b.Bytes()); best == "" || h < best {
				best = h
			}
		}
		cookie := ""
		for i := 0; i < 256 && cookie == ""; i++ {
			if c := cookieFor(st, name, values); cookieGobHex(c) == best {
				cookie = c
			}
		}
		if cookie == "" {
			panic("no cookie carries the smallest gob of " + arg)
		}
		os.Stdout.Write(render(map[string]interface{}{"gob_hex": best, "cookie": cookie, "session": compact(view(values)), "go_types": types(values)}))
	case "--read-ours":
		os.Exit(readOurs(arg))
	case "--out":
		for fname, doc := range documents() {
			if err := os.WriteFile(filepath.Join(arg, fname), render(doc), 0o644); err != nil {
				panic(err)
			}
		}
	case "--check":
		differ := 0
		for fname, doc := range documents() {
			cur, err := os.ReadFile(filepath.Join(arg, fname))
			if err != nil || masked(cur) != masked(render(doc)) {
				differ++
				fmt.Printf("differs: %s (cookie values masked but the known answers')\n", filepath.Join(arg, fname))
				continue
			}
			for _, p := range replay(cur) {
				differ++
				fmt.Printf("differs: %s %s\n", filepath.Join(arg, fname), p)
			}
		}
		if differ > 0 {
			os.Exit(1)
		}
		fmt.Println("gorilla vectors up to date")
	default:
		fmt.Fprintln(os.Stderr, "usage: gorilla_vectors --out DIR | --check DIR | --read-ours FILE")
		os.Exit(2)
	}
}
