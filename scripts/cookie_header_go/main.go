// Command cookie_header_go answers, for scripts/cookie_header_vectors.py, what Go's net/http finds for a cookie
// name in `Cookie` header lines: `r.Cookie(name)`, which gorilla/sessions' `store.Get(r, name)` reads (net/http's
// readCookies: each line and each `;`-separated part trimmed of ASCII space, the part split on its first `=`,
// the first cookie of the name whose value Go accepts).
//
// stdin: a JSON list of {"lines": [base64 of each line's bytes], "name": "..."}; stdout: {"version": Go's
// version, "answers": [the value, or null]} (a value Go accepts is printable ASCII). The lines go into the
// request's Header as they are: Go's server refuses a request whose header values hold control characters other
// than tab before any handler runs; the parser answers either way. Built by `cargo xtask vectors` in GOPATH
// mode (standard library only).
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"runtime"
)

type query struct {
	Lines []string `json:"lines"`
	Name  string   `json:"name"`
}

type result struct {
	Version string    `json:"version"`
	Answers []*string `json:"answers"`
}

func main() {
	var queries []query
	if err := json.NewDecoder(os.Stdin).Decode(&queries); err != nil {
		fmt.Fprintf(os.Stderr, "cookie_header_go: %v\n", err)
		os.Exit(1)
	}
	out := result{Version: runtime.Version(), Answers: make([]*string, 0, len(queries))}
	for _, q := range queries {
		lines := make([]string, 0, len(q.Lines))
		for _, l := range q.Lines {
			b, err := base64.StdEncoding.DecodeString(l)
			if err != nil {
				fmt.Fprintf(os.Stderr, "cookie_header_go: %v\n", err)
				os.Exit(1)
			}
			lines = append(lines, string(b))
		}
		r := &http.Request{Header: http.Header{"Cookie": lines}}
		var answer *string
		if c, err := r.Cookie(q.Name); err == nil {
			v := c.Value
			answer = &v
		}
		out.Answers = append(out.Answers, answer)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintf(os.Stderr, "cookie_header_go: %v\n", err)
		os.Exit(1)
	}
}
