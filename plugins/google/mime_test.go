package main

import (
	"encoding/base64"
	"testing"
)

func decodeB64(t *testing.T, s string) string {
	t.Helper()
	b, err := base64.URLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func leaf(mt, charset, data string, filename string) part {
	p := part{MimeType: mt, Filename: filename}
	if charset != "" {
		p.Headers = []header{{Name: "Content-Type", Value: mt + "; charset=" + charset}}
	}
	p.Body.Data = data
	return p
}

func enc(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func TestMIMEWalk(t *testing.T) {
	plain := leaf("text/plain", "utf-8", enc("plain text é"), "")
	htm := leaf("text/html", "utf-8", enc("<p>html <b>text</b></p>"), "")
	latin := leaf("text/plain", "ISO-8859-1", base64.URLEncoding.EncodeToString([]byte("caf\xe9")), "") // padded
	attached := leaf("text/plain", "utf-8", enc("an attached file"), "a.txt")
	disposition := leaf("text/plain", "", enc("attached too"), "")
	disposition.Headers = []header{{Name: "content-disposition", Value: `attachment; filename="b.txt"`}}
	std := leaf("text/plain", "", base64.StdEncoding.EncodeToString([]byte("?>?>")), "")
	for _, tt := range []struct {
		name string
		p    part
		want body
	}{
		{"alternative prefers plain", part{MimeType: "multipart/alternative", Parts: []part{htm, plain}}, body{"plain text é", "text/plain"}},
		{"html fallback", part{MimeType: "multipart/alternative", Parts: []part{htm}}, body{"html text", "text/html"}},
		{"mixed joins text, skips attachments", part{MimeType: "multipart/mixed", Parts: []part{
			{MimeType: "multipart/alternative", Parts: []part{plain, htm}}, attached, disposition, latin}}, body{"plain text é\n\ncafé", "text/plain"}},
		{"forwarded message", part{MimeType: "multipart/mixed", Parts: []part{{MimeType: "message/rfc822", Parts: []part{plain}}}}, body{"plain text é", "text/plain"}},
		{"single part", latin, body{"café", "text/plain"}},
		{"standard alphabet", std, body{"?>?>", "text/plain"}},
		{"no text", part{MimeType: "multipart/mixed", Parts: []part{attached}}, body{}},
		{"bad base64", leaf("text/plain", "", "!!!", ""), body{}},
		{"invalid utf-8", leaf("text/plain", "utf-8", enc("a\xffb"), ""), body{"a\uFFFDb", "text/plain"}},
	} {
		if got := tt.p.text(); got != tt.want {
			t.Errorf("%s: text = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestMIMEWalkIsBounded(t *testing.T) {
	p := leaf("text/plain", "", enc("deep"), "")
	for range maxMIMEDepth + 5 {
		p = part{MimeType: "multipart/mixed", Parts: []part{p}}
	}
	if got := p.text(); got != (body{}) {
		t.Errorf("text past the depth bound = %+v", got)
	}
}

func TestHTMLToText(t *testing.T) {
	for in, want := range map[string]string{
		"<p>a</p><p>b</p>":                              "a\n\nb",
		"a<br>b<br/>c":                                  "a\nb\nc",
		"<ul><li>one</li><li>two</li></ul>":             "- one\n- two",
		"<table><tr><td>x</td><td>y</td></tr></table>":  "x y",
		"<style>p{}</style><script>x()</script>t":       "t",
		"<a href=\"https://go.dev\">Go</a>":             "Go (https://go.dev)",
		"<a href=\"https://go.dev\">https://go.dev</a>": "https://go.dev",
		"<a href=\"javascript:alert(1)\">x</a>":         "x",
		"<a href=\"mailto:a@example.com\">write</a>":    "write (a@example.com)",
		"&lt;b&gt; &amp; &nbsp;&#233;   x":              "<b> & é x",
		"<div>  lots   of \n\n\n space </div>":          "lots of space",
		"<svg><text>no</text></svg>yes":                 "yes",
		"<p>unclosed":                                   "unclosed",
	} {
		if got := htmlToText(in); got != want {
			t.Errorf("htmlToText(%q) = %q, want %q", in, got, want)
		}
	}
}
