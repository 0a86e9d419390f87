// Command gorilla is the seed app for the live cross-framework login test (Flask quickstart "Sessions") on Go's
// net/http with gorilla/sessions' CookieStore: the same routes and page texts as interop/flask_app.py and
// examples/login-common.
//
//	SECRET_KEY=dev-secret SESSION_COOKIE_NAME=gorilla-session PORT=5000 target/gorilla/gorilla_app
//
// SECRET_KEY: plain text (its bytes), or "hex:<hex>" / "base64:<standard base64>" for raw bytes; it is the
// store's hash key. SESSION_ENCRYPTION_KEY, read the same way, is its block key (16, 24 or 32 bytes: AES-128,
// -192 or -256); unset, the cookies are signed only. SESSION_COOKIE_NAME is the session name passed to store.Get (default
// "gorilla-session"). PORT defaults to 5000. Serves on 127.0.0.1. Built by `cargo xtask interop` in GOPATH
// mode with Debian's gorilla packages.
package main

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html"
	"log"
	"net/http"
	"os"
	"strings"

	"github.com/gorilla/sessions"
)

const loginForm = `
        <form method="post">
            <p><input type=text name=username>
            <p><input type=submit value=Login>
        </form>
    `

func die(msg string) {
	fmt.Fprintf(os.Stderr, "gorilla_app: %s\n", msg)
	os.Exit(1)
}

// secretKey reads SECRET_KEY as every other seed app reads it.
func secretKey() []byte {
	raw := os.Getenv("SECRET_KEY")
	if raw == "" {
		die("SECRET_KEY is not set (plain text, 'hex:<hex>' or 'base64:<base64>')")
	}
	return keyText("SECRET_KEY", raw)
}

// blockKey reads SESSION_ENCRYPTION_KEY like SECRET_KEY; nil (no encryption) when it is not set.
func blockKey() []byte {
	raw := os.Getenv("SESSION_ENCRYPTION_KEY")
	if raw == "" {
		return nil
	}
	key := keyText("SESSION_ENCRYPTION_KEY", raw)
	if n := len(key); n != 16 && n != 24 && n != 32 {
		die(fmt.Sprintf("SESSION_ENCRYPTION_KEY is %d bytes; a block key has 16, 24 or 32", n))
	}
	return key
}

// keyText decodes key text: "hex:<hex>", "base64:<standard base64>", or the text's bytes.
func keyText(env, raw string) []byte {
	var key []byte
	var err error
	switch {
	case strings.HasPrefix(raw, "hex:"):
		key, err = hex.DecodeString(raw[4:])
	case strings.HasPrefix(raw, "base64:"):
		key, err = base64.StdEncoding.DecodeString(raw[7:])
	default:
		key = []byte(raw)
	}
	if err != nil {
		die(env + " could not be decoded: " + err.Error())
	}
	if len(key) == 0 {
		die(env + " decodes to an empty key")
	}
	return key
}

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "5000"
	}
	name := os.Getenv("SESSION_COOKIE_NAME")
	if name == "" {
		name = "gorilla-session"
	}
	store := sessions.NewCookieStore(secretKey(), blockKey())
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		s, _ := store.Get(r, name)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if user, ok := s.Values["username"].(string); ok {
			fmt.Fprintf(w, "Logged in as %s", html.EscapeString(user))
		} else {
			fmt.Fprint(w, "You are not logged in")
		}
	})
	http.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, loginForm)
			return
		}
		s, _ := store.Get(r, name)
		s.Values["username"] = r.FormValue("username")
		if err := s.Save(r, w); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		http.Redirect(w, r, "/", http.StatusFound)
	})
	http.HandleFunc("/logout", func(w http.ResponseWriter, r *http.Request) {
		s, _ := store.Get(r, name)
		delete(s.Values, "username")
		// Flask deletes the cookie when the session becomes empty; gorilla's way is MaxAge -1.
		if len(s.Values) == 0 {
			s.Options.MaxAge = -1
		}
		if err := s.Save(r, w); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		http.Redirect(w, r, "/", http.StatusFound)
	})
	log.Printf("gorilla_app: listening on http://127.0.0.1:%s", port)
	log.Fatal(http.ListenAndServe("127.0.0.1:"+port, nil))
}
