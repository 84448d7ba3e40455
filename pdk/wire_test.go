package pdk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
)

// wireStrings are strings whose escaping differs between encoders: quotes,
// backslashes, every control character class, HTML, invalid UTF-8, U+2028
// and U+2029, and multi-byte runes.
var wireStrings = []string{
	"", "plain", `q"uo\te`, "\x00\x01\x1f\x7f", "\b\f\n\r\t", "<a href='x'>&amp;</a>",
	"\xff\xfe", "a\xc3", "\u2028\u2029", "héllo wörld ✓ 𝄞", "\\u0041", "/path?x=1&y=%20",
}

// roundTrip is what the host reads of v: encoding/json's encoding of it,
// decoded.
func roundTrip[T any](t testing.TB, v T) T {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func checkRequest(t testing.TB, req abi.HTTPRequest) {
	t.Helper()
	b := appendRequest(nil, req)
	var got abi.HTTPRequest
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&got); err != nil {
		t.Fatalf("appendRequest(%+v) wrote %q, which encoding/json cannot decode: %v", req, b, err)
	}
	if want := roundTrip(t, req); !reflect.DeepEqual(got, want) {
		t.Fatalf("appendRequest(%+v) wrote %q: the host reads %+v, want %+v", req, b, got, want)
	}
}

// TestAppendRequestMatchesEncodingJSON: the host, decoding a request with
// encoding/json, reads what it would have read of encoding/json's own
// encoding, for every field and every kind of string.
func TestAppendRequestMatchesEncodingJSON(t *testing.T) {
	checkRequest(t, abi.HTTPRequest{})
	checkRequest(t, abi.HTTPRequest{Method: "GET", URL: "https://api.github.com/user", Select: "{login,id}"})
	for _, s := range wireStrings {
		checkRequest(t, abi.HTTPRequest{Method: s, URL: s, Body: s, Select: s,
			Headers: map[string]string{s: s, "Accept": "application/json", "X-" + s: ""}})
	}
}

// hostHead is the head as the host writes it (hostfuncs' encodeDocument).
func hostHead(t testing.TB, r abi.HTTPResponse) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

func checkHead(t testing.TB, r abi.HTTPResponse) {
	t.Helper()
	head := hostHead(t, r)
	got, err := decodeResponseHead(head)
	if err != nil {
		t.Fatalf("decodeResponseHead(%q): %v", head, err)
	}
	var want abi.HTTPResponse
	if err := json.Unmarshal(head, &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decodeResponseHead(%q) = %+v, want %+v (encoding/json's)", head, got, want)
	}
}

// TestDecodeResponseHeadMatchesEncodingJSON: every head the host can write
// decodes as encoding/json decodes it.
func TestDecodeResponseHeadMatchesEncodingJSON(t *testing.T) {
	checkHead(t, abi.HTTPResponse{})
	checkHead(t, abi.HTTPResponse{Status: 200, Selected: true, Headers: map[string]string{"Content-Type": "application/json", "Link": `<https://api.github.com/user/repos?page=2>; rel="next"`}})
	checkHead(t, abi.HTTPResponse{Error: abi.ErrHostNotAllowed, ErrorMessage: "not under a declared base"})
	for _, s := range wireStrings {
		checkHead(t, abi.HTTPResponse{Status: 599, Body: s, Error: s, ErrorMessage: s, Headers: map[string]string{s: s, "X-Empty": ""}})
	}
}

// TestDecodeResponseHeadRefusesJunk: what is not a JSON object is an error,
// and a newer host's unknown keys are skipped.
func TestDecodeResponseHeadRefusesJunk(t *testing.T) {
	for _, head := range []string{"", "null", "[]", `{"status":`, `"x"`, "{} {}"} {
		if _, err := decodeResponseHead([]byte(head)); err == nil {
			t.Errorf("decodeResponseHead(%q): no error", head)
		}
	}
	r, err := decodeResponseHead([]byte(`{"status":204,"later":{"a":[1,2]},"selected":true}`))
	if err != nil || r.Status != 204 || !r.Selected {
		t.Errorf("a head with an unknown key: %+v, %v", r, err)
	}
}

func FuzzWireRequest(f *testing.F) {
	for _, s := range wireStrings {
		f.Add(s, s, s, s, s)
	}
	f.Fuzz(func(t *testing.T, method, url, hk, hv, body string) {
		checkRequest(t, abi.HTTPRequest{Method: method, URL: url, Headers: map[string]string{hk: hv, hv: hk}, Body: body, Select: hk + body})
	})
}

func FuzzWireHead(f *testing.F) {
	for _, s := range wireStrings {
		f.Add(200, s, s, s, true)
	}
	f.Fuzz(func(t *testing.T, status int, hk, hv, msg string, selected bool) {
		checkHead(t, abi.HTTPResponse{Status: status, Headers: map[string]string{hk: hv}, Selected: selected, Error: msg, ErrorMessage: hv + msg})
	})
}

// TestDecodeCallRequest: the tool and the arguments as the host wrote them;
// what encoding/json would refuse as an abi.CallRequest is refused.
func TestDecodeCallRequest(t *testing.T) {
	tool, args, err := decodeCallRequest([]byte(`{"tool":"list_github_repos","arguments":{"page":2,"sort":"created"}}`))
	if err != nil || tool != "list_github_repos" || string(args) != `{"page":2,"sort":"created"}` {
		t.Errorf("got %q %s %v", tool, args, err)
	}
	for _, in := range []string{`{"tool":"t"}`, `{"tool":"t","arguments":null}`} {
		if tool, args, err := decodeCallRequest([]byte(in)); err != nil || tool != "t" || args != nil {
			t.Errorf("%s: got %q %s %v, want no arguments", in, tool, args, err)
		}
	}
	for _, in := range []string{``, `[]`, `{"tool":1}`, `{"tool":"t","arguments":[1]}`, `{"tool":"t","arguments":"x"}`, `{"tool":"t"`} {
		var req abi.CallRequest
		if json.Unmarshal([]byte(in), &req) == nil {
			t.Fatalf("%s: encoding/json accepts it; the test is wrong", in)
		}
		if _, _, err := decodeCallRequest([]byte(in)); err == nil {
			t.Errorf("%s: no error", in)
		}
	}
}

// TestArgsFromRawMatchMap: a tool decodes the same arguments, and fails
// with the same words, whether they come as the host's bytes (the Wasm
// export) or as a map (Plugin.Handle, pdktest).
func TestArgsFromRawMatchMap(t *testing.T) {
	type args struct {
		Page  *int     `json:"page"`
		Sort  string   `json:"sort"`
		Tags  []string `json:"tags"`
		Ratio float64  `json:"ratio"`
	}
	for _, doc := range []string{
		`{}`, `{"page":3,"sort":"x","tags":["a","b"],"ratio":0.5}`,
		`{"page":1.5}`, `{"page":"3"}`, `{"tags":["a",2]}`, `{"visibility":"all"}`, `{"page":12345678901234567890}`,
	} {
		var m map[string]any
		if err := json.Unmarshal([]byte(doc), &m); err != nil {
			t.Fatal(err)
		}
		// The host writes the arguments it decoded as json.Marshal does.
		raw, _ := json.Marshal(m)
		var fromMap, fromRaw args
		errMap := (&Call{tool: "t", args: m}).Args(&fromMap)
		errRaw := (&Call{tool: "t", rawArgs: raw}).Args(&fromRaw)
		if !reflect.DeepEqual(fromMap, fromRaw) || fmt.Sprint(errMap) != fmt.Sprint(errRaw) {
			t.Errorf("%s: from the map %+v, %v; from the bytes %+v, %v", doc, fromMap, errMap, fromRaw, errRaw)
		}
	}
}
