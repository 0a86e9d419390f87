// Command gob_corpus writes testdata/gob/decode.json: gob streams of gorilla sessions, most of them damaged,
// each with what Go 1.19's encoding/gob decoder (Debian's golang-go) makes of it. The Rust gob reader is
// tested against these answers (crates/session-core/tests/gob_corpus.rs).
//
//	gob_corpus --out FILE     write the corpus
//	gob_corpus --check FILE   the committed corpus must be what this run writes
//
// Each stream is a session as gorilla stores it (a map[interface{}]interface{}) encoded by a fresh
// gob.Encoder, then, for most cases, damaged: a byte replaced, removed or inserted, the stream cut short, or
// junk appended, chosen by a generator with a fixed seed. Go then decodes it into a
// map[interface{}]interface{} with the types a gorilla app registers. The answer is Go's error, or the
// session as a tree of Go types and values ("t": the name gob sends for the type, Go's %T but for a type
// registered under a name of its own; "v": the value; floats as their IEEE 754 bits,
// byte strings in hex, times as Unix seconds and nanoseconds).
package main

import (
	"bytes"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/bits"
	"math/rand"
	"os"
	"reflect"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// User is an app's own registered struct.
type User struct {
	Name string
	Age  int
	Tags []string
}

// Box and Items are an app's own types holding interfaces.
type Box struct{ V interface{} }
type Items []interface{}

// Role, Level and Count are an app's own named types of basic kinds.
type Role string
type Level int
type Count uint

// Named1024 and Named1025 are registered under names of 1024 and 1025 bytes.
type Named1024 struct{ A int }
type Named1025 struct{ A int }

var name1024, name1025 = strings.Repeat("n", 1024), strings.Repeat("n", 1025)

func init() {
	gob.Register(map[string]interface{}{})
	gob.Register([]interface{}{})
	gob.Register([]string{})
	gob.Register(time.Time{})
	gob.Register(User{})
	gob.Register(Role(""))
	gob.Register(Level(0))
	gob.Register(Count(0))
	gob.Register([2]int{})
	gob.Register([3]string{})
	gob.Register([1]interface{}{})
	gob.Register(map[int]int{})
	gob.Register(map[int]interface{}{})
	gob.Register(Box{})
	gob.Register(Items{})
	gob.RegisterName(name1024, Named1024{})
	gob.RegisterName(name1025, Named1025{})
}

// seeds are one-key sessions (a map of several keys is written in Go's random order), in a fixed order: gob
// type ids are assigned per process, in the order types are first sent.
func seeds() []interface{} {
	long := ""
	for i := 0; i < 30; i++ {
		long += "0123456789"
	}
	return []interface{}{
		"alice",
		long,
		"Zo\u00eb \u65e5\u672c",
		0,
		5,
		-7,
		1 << 40,
		math.MinInt64,
		int8(-100),
		int16(30000),
		int32(-2000000000),
		int64(math.MaxInt64),
		uint(7),
		uint8(255),
		uint16(65535),
		uint32(4000000000),
		uint64(math.MaxUint64),
		uintptr(9),
		1.5,
		-0.1,
		math.Inf(1),
		float32(0.25),
		float32(-3.4e38),
		true,
		false,
		nil,
		[]byte{0, 1, 0xfe, 0xff},
		[]byte{},
		[]interface{}{1, "a", nil, true, []interface{}{2.5}},
		[]interface{}{},
		map[string]interface{}{"a": 1},
		map[string]interface{}{"nested": map[string]interface{}{"list": []interface{}{"x"}}},
		[]string{"x", "y"},
		time.Unix(1700000000, 0).UTC(),
		time.Unix(1700000000, 500).UTC(),
		time.Unix(1700000000, 0).In(time.FixedZone("", 3600)),
		time.Unix(1700000000, 0).In(time.FixedZone("", 0)),
		time.Unix(1700000000, 0).In(time.FixedZone("", 3630)),
		User{Name: "bob", Age: 3, Tags: []string{"a"}},
		User{},
		Role("admin"),
		[]interface{}{User{Name: "c"}, Role("r"), uint8(1)},
		Level(-3),
		Count(300),
		map[int]interface{}{1: map[string]interface{}{"x": int8(2)}},
		Box{V: map[string]interface{}{"a": uint16(1)}},
		Items{map[string]interface{}{"b": []interface{}{true}}},
		complex(1.5, -2),
		complex64(complex(0.5, 4)),
		[2]int{1, -2},
		[3]string{"a", "", "c"},
		Named1024{A: 1},
		Named1025{A: 1},
	}
}

// crafted are streams no encoder writes, built from the first seed's ("k0": "alice"): its map type (id 65)
// as it is; defined as id 64, the first id Go leaves to users; defined twice; defined with a reserved id
// (63); its definition's structs ending with the message instead of their 0s. And field numbers past the
// end of a struct.
func crafted() [][]byte {
	def := "0eff81040102ff82000110011000" + "00"
	value := "23ff82000106737472696e670c0600047573657206737472696e670c070005616c696365"
	b := func(parts ...string) []byte {
		out, err := hex.DecodeString(strings.Join(parts, ""))
		if err != nil {
			panic(err)
		}
		return out
	}
	return [][]byte{
		b(def, value),
		b("0d7f040102ff800001100110000", "0", "23ff80", value[6:]),
		b(def, def, value),
		b("0c7d0401027e00011001100000", "227e", value[6:]),
		b("0dff81040102ff820001100110", "00", value),
		b("0cff81040102ff8200011001", "10", value),
		// A field number one past the last field: of a CommonType (2 fields), of a wireType (7), of a
		// main.User value (3; the stream is the main.User seed's).
		b("10ff81040102ff82010200011001100000", value),
		b("0eff81080102ff8200011001100000", value),
		b("0eff81040102ff820001100110000049ff82000106737472696e670c0500036b3336096d61696e2e55736572ff8b030101045573657201ff8c00010301044e616d65010c00010341676501040001045461677301ff880000000cff87020102ff8800010c0000", "11ff8c0e0103626f620106010101610102", "00"),
		b("0eff81040102ff820001100110000049ff82000106737472696e670c0500036b3336096d61696e2e55736572ff8b030101045573657201ff8c00010301044e616d65010c00010341676501040001045461677301ff880000000cff87020102ff8800010c0000", "0fff8c0c0103626f620106010101610000"),
	}
}

// encUint and encInt are gob's unsigned and signed integers.
func encUint(x uint64) []byte {
	if x <= 0x7f {
		return []byte{byte(x)}
	}
	var b []byte
	for ; x > 0; x >>= 8 {
		b = append([]byte{byte(x)}, b...)
	}
	return append([]byte{byte(-len(b))}, b...)
}

func encInt(i int64) []byte {
	if i < 0 {
		return encUint(uint64(^i)<<1 | 1)
	}
	return encUint(uint64(i) << 1)
}

func encFloat(f float64) []byte {
	return encUint(bits.ReverseBytes64(math.Float64bits(f)))
}

// renamed is stream with the interface name old, where it first appears, replaced by new (a value sent under
// the name of another type), its message's length written again.
func renamed(stream []byte, old, new string) []byte {
	from := append(encUint(uint64(len(old))), old...)
	to := append(encUint(uint64(len(new))), new...)
	var out []byte
	for rest := stream; len(rest) > 0; {
		n, size := int(rest[0]), 1
		if rest[0] > 0x7f {
			size = 1 + int(-int8(rest[0]))
			n = 0
			for _, b := range rest[1:size] {
				n = n<<8 | int(b)
			}
		}
		msg := rest[size : size+n]
		rest = rest[size+n:]
		if i := bytes.Index(msg, from); i >= 0 && from != nil {
			msg = append(append(append([]byte(nil), msg[:i]...), to...), msg[i+len(from):]...)
			from = nil
		}
		out = append(append(out, encUint(uint64(len(msg)))...), msg...)
	}
	return out
}

// mismatched are values sent under the name of a type of another shape, which Go refuses: an array as a
// slice, a map of other keys and values as map[string]interface {}.
func mismatched() [][]byte {
	return [][]byte{
		renamed(encode("k", [3]string{"a", "b", "c"}), "[3]string", "[]string"),
		renamed(encode("k", [1]interface{}{nil}), "[1]interface {}", "[]interface {}"),
		renamed(encode("k", map[int]int{}), "map[int]int", "map[string]interface {}"),
		renamed(encode("k", map[int]int{}), "map[int]int", "map[int]int"),
	}
}

// edge is a session {"k": v} written by hand: v sent as an interface named name, of the basic type id, with
// the given value bytes (the map type's definition is the first seed's).
func edge(name string, id int64, value []byte) []byte {
	iface := func(name string, id int64, value []byte) []byte {
		out := append(encUint(uint64(len(name))), name...)
		out = append(out, encInt(id)...)
		out = append(out, encUint(uint64(len(value)+1))...)
		return append(append(out, 0), value...)
	}
	msg := append(encInt(65), 0, 1)
	msg = append(msg, iface("string", 6, append(encUint(1), 'k'))...)
	msg = append(msg, iface(name, id, value)...)
	def, _ := hex.DecodeString("0eff81040102ff8200011001100000")
	return append(append(def, encUint(uint64(len(msg)))...), msg...)
}

// edges are values at the ends of each narrower kind's range and one past them, which Go refuses, and a
// float32 that is not one.
func edges() [][]byte {
	var out [][]byte
	for _, k := range []struct {
		name string
		bits uint
	}{{"int8", 8}, {"int16", 16}, {"int32", 32}, {"int64", 64}, {"int", 64}} {
		lo, hi := int64(-1)<<(k.bits-1), int64(uint64(1)<<(k.bits-1)-1)
		vals := []int64{lo, hi}
		if k.bits < 64 {
			vals = append(vals, lo-1, hi+1)
		}
		for _, v := range vals {
			out = append(out, edge(k.name, 2, encInt(v)))
		}
	}
	for _, k := range []struct {
		name string
		bits uint
	}{{"uint8", 8}, {"uint16", 16}, {"uint32", 32}, {"uint64", 64}, {"uint", 64}, {"uintptr", 64}} {
		hi := uint64(math.MaxUint64)
		if k.bits < 64 {
			hi = uint64(1)<<k.bits - 1
			out = append(out, edge(k.name, 3, encUint(hi+1)))
		}
		out = append(out, edge(k.name, 3, encUint(hi)))
	}
	// A float64 a float32 cannot hold: Go rounds it.
	out = append(out, edge("float32", 4, encFloat(0.1)))
	over := math.Nextafter(math.MaxFloat32, math.Inf(1))
	for _, f := range []float64{math.MaxFloat32, -math.MaxFloat32, over, -over, math.Inf(1), math.NaN()} {
		out = append(out, edge("float32", 4, encFloat(f)))
		out = append(out, edge("complex64", 7, append(encFloat(0), encFloat(f)...)))
		out = append(out, edge("complex64", 7, append(encFloat(f), encFloat(0)...)))
	}
	return out
}

func encode(key string, v interface{}) []byte {
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(map[interface{}]interface{}{key: v}); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// damaged: n copies of stream, each damaged one way.
func damaged(r *rand.Rand, stream []byte, n int) [][]byte {
	var out [][]byte
	for i := 0; i < n; i++ {
		b := append([]byte(nil), stream...)
		at := r.Intn(len(b))
		special := []byte{0x00, 0x01, 0x7f, 0x80, 0xf8, 0xf7, 0xfe, 0xff}
		switch r.Intn(7) {
		case 0:
			b[at] = byte(r.Intn(256))
		case 1:
			b[at] = special[r.Intn(len(special))]
		case 2:
			b[at] ^= 1 << uint(r.Intn(8))
		case 3:
			b = append(b[:at], b[at+1:]...)
		case 4:
			b = append(b[:at], append([]byte{special[r.Intn(len(special))]}, b[at:]...)...)
		case 5:
			b = b[:at]
		default:
			b = append(b, []byte{0x03, 0x04, 0x00, 0x02}[:1+r.Intn(4)]...)
		}
		out = append(out, b)
	}
	return out
}

// view is a decoded value as a tree of Go types and values.
func view(v interface{}) interface{} {
	if v == nil {
		return map[string]interface{}{"t": "nil"}
	}
	// The name the type is registered under, which gob sends: %T but for the RegisterName'd ones.
	t := fmt.Sprintf("%T", v)
	switch v.(type) {
	case Named1024:
		t = name1024
	case Named1025:
		t = name1025
	}
	node := map[string]interface{}{"t": t}
	switch x := v.(type) {
	case string:
		if utf8.ValidString(x) {
			node["v"] = x
		} else {
			node["hex"] = hex.EncodeToString([]byte(x))
		}
	case []byte:
		node["v"] = hex.EncodeToString(x)
	case float32:
		node["v"] = strconv.FormatUint(math.Float64bits(float64(x)), 16)
	case float64:
		node["v"] = strconv.FormatUint(math.Float64bits(x), 16)
	case []interface{}:
		items := []interface{}{}
		for _, i := range x {
			items = append(items, view(i))
		}
		node["v"] = items
	case map[string]interface{}:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		pairs := []interface{}{}
		for _, k := range keys {
			pairs = append(pairs, []interface{}{k, view(x[k])})
		}
		node["v"] = pairs
	case []string:
		node["v"] = x
	case time.Time:
		_, offset := x.Zone()
		node["v"] = map[string]interface{}{"unix": x.Unix(), "nsec": x.Nanosecond(), "offset": offset, "utc": x.Location() == time.UTC}
	default:
		rv := reflect.ValueOf(v)
		switch rv.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			node["v"] = strconv.FormatInt(rv.Int(), 10)
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			node["v"] = strconv.FormatUint(rv.Uint(), 10)
		case reflect.Complex64, reflect.Complex128:
			c := rv.Complex()
			node["v"] = []string{strconv.FormatUint(math.Float64bits(real(c)), 16), strconv.FormatUint(math.Float64bits(imag(c)), 16)}
		case reflect.Bool:
			node["v"] = rv.Bool()
		case reflect.String:
			if utf8.ValidString(rv.String()) {
				node["v"] = rv.String()
			}
		}
	}
	return node
}

// decode is Go's answer for one stream.
func decode(stream []byte) (answer map[string]interface{}) {
	answer = map[string]interface{}{"gob": hex.EncodeToString(stream)}
	defer func() {
		if p := recover(); p != nil {
			answer["go"] = "panic"
			answer["error"] = fmt.Sprint(p)
		}
	}()
	var m map[interface{}]interface{}
	if err := gob.NewDecoder(bytes.NewReader(stream)).Decode(&m); err != nil {
		answer["go"] = "error"
		answer["error"] = err.Error()
		return
	}
	entries := []interface{}{}
	keys := make([]string, 0, len(m))
	other := []interface{}{}
	for k, v := range m {
		if s, ok := k.(string); ok && utf8.ValidString(s) {
			keys = append(keys, s)
		} else {
			other = append(other, []interface{}{view(k), view(v)})
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		entries = append(entries, []interface{}{k, view(m[k])})
	}
	answer["go"] = "ok"
	answer["session"] = entries
	if len(other) > 0 {
		answer["other_keys"] = other
	}
	return
}

func corpus() []byte {
	r := rand.New(rand.NewSource(20261207))
	var cases []interface{}
	for i, v := range seeds() {
		stream := encode("k"+strconv.Itoa(i), v)
		cases = append(cases, decode(stream))
		for _, d := range damaged(r, stream, 14) {
			cases = append(cases, decode(d))
		}
	}
	for _, c := range append(append(crafted(), edges()...), mismatched()...) {
		cases = append(cases, decode(c))
	}
	// Sessions with a key of another type than string: an int, nil, a named string type, a bool.
	for _, m := range []map[interface{}]interface{}{{7: "seven"}, {nil: "x"}, {Role("admin"): 1}, {true: "t"}} {
		var b bytes.Buffer
		if err := gob.NewEncoder(&b).Encode(m); err == nil {
			cases = append(cases, decode(b.Bytes()))
		} else {
			cases = append(cases, map[string]interface{}{"gob": "", "go": "error", "error": err.Error()})
		}
	}
	doc := map[string]interface{}{
		"source":  "scripts/gob_corpus with Go " + runtimeVersion() + "'s encoding/gob (Debian golang-go)",
		"comment": "gob streams of one-key gorilla sessions, most damaged one way (a byte replaced, removed or inserted, the stream cut, junk appended), each with Go's answer when decoded into a map[interface{}]interface{} with map[string]interface{}, []interface{}, []string, time.Time, main.User and main.Role registered: ok with the session (t: the type name gob sends, v: the value; floats as IEEE 754 bits in hex, bytes in hex), or Go's error; other_keys: the keys that are not UTF-8 strings",
		"cases":   cases,
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(doc); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func runtimeVersion() string {
	return strings.TrimPrefix(runtime.Version(), "go")
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gob_corpus --out FILE | --check FILE")
		os.Exit(2)
	}
	text := corpus()
	switch os.Args[1] {
	case "--out":
		if err := os.WriteFile(os.Args[2], text, 0o644); err != nil {
			panic(err)
		}
	case "--check":
		cur, err := os.ReadFile(os.Args[2])
		if err != nil || !bytes.Equal(cur, text) {
			fmt.Printf("differs: %s (regenerate with cargo xtask vectors)\n", os.Args[2])
			os.Exit(1)
		}
		fmt.Println("gob corpus up to date")
	default:
		fmt.Fprintln(os.Stderr, "usage: gob_corpus --out FILE | --check FILE")
		os.Exit(2)
	}
}
