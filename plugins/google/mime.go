package main

import (
	"encoding/base64"
	"mime"
	"strings"
	"unicode/utf8"

	"github.com/wasmcp/wasmcp/pdk"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
)

// part is a node of a Gmail message's MIME tree (users.messages.get's
// MessagePart): a multipart node has parts, a leaf a body, whose data is
// base64url and in the charset its Content-Type names. An attachment's data
// is not sent: it has an attachmentId instead.
type part struct {
	PartID   string   `json:"partId"`
	MimeType string   `json:"mimeType"`
	Filename string   `json:"filename"`
	Headers  []header `json:"headers"`
	Body     struct {
		AttachmentID string `json:"attachmentId"`
		Size         int64  `json:"size"`
		Data         string `json:"data"`
	} `json:"body"`
	Parts []part `json:"parts"`
}

// maxMIMEDepth bounds the walk of a message's tree; Gmail nests parts a few
// levels deep (mixed, related, alternative, a forwarded message's own).
const maxMIMEDepth = 16

// body is a message's text, and the type of the part it came from.
type body struct {
	text, mimeType string
}

// text returns the message's text: its first text/plain part that is not
// an attachment, else its first text/html part turned into text. Of a
// multipart/alternative, the plain version is taken; of other multiparts
// (mixed, related, a forwarded message/rfc822), the text parts are joined.
func (p *part) text() body {
	plain, htm := p.collect(0)
	if strings.TrimSpace(plain) != "" {
		return body{strings.TrimSpace(plain), "text/plain"}
	}
	if strings.TrimSpace(htm) != "" {
		return body{htmlToText(htm), "text/html"}
	}
	return body{}
}

// collect returns the plain and HTML text of the subtree at p.
func (p *part) collect(depth int) (plain, htm string) {
	if depth > maxMIMEDepth {
		return "", ""
	}
	mt := strings.ToLower(p.MimeType)
	switch {
	case strings.HasPrefix(mt, "multipart/alternative"):
		// The versions of one text: the first of each kind.
		for i := range p.Parts {
			pl, h := p.Parts[i].collect(depth + 1)
			if plain == "" {
				plain = pl
			}
			if htm == "" {
				htm = h
			}
		}
		return plain, htm
	case len(p.Parts) > 0:
		var pls, hs []string
		for i := range p.Parts {
			pl, h := p.Parts[i].collect(depth + 1)
			if pl != "" {
				pls = append(pls, pl)
			}
			if h != "" {
				hs = append(hs, h)
			}
		}
		return strings.Join(pls, "\n\n"), strings.Join(hs, "\n")
	case p.isAttachment():
		return "", ""
	case mt == "text/plain":
		return p.decoded(), ""
	case mt == "text/html":
		return "", p.decoded()
	}
	return "", ""
}

// isAttachment reports whether the leaf p is a file rather than the text:
// it has a file name, or a Content-Disposition of attachment, or its data
// is stored apart.
func (p *part) isAttachment() bool {
	if p.Filename != "" || p.Body.AttachmentID != "" {
		return true
	}
	for _, h := range p.Headers {
		if strings.EqualFold(h.Name, "Content-Disposition") {
			d, _, _ := mime.ParseMediaType(h.Value)
			return d == "attachment"
		}
	}
	return false
}

// decoded returns the leaf's data as UTF-8 text: base64url decoded (Gmail
// may or may not pad it), then from the charset of its Content-Type.
func (p *part) decoded() string {
	data := strings.TrimRight(p.Body.Data, "=")
	raw, err := base64.RawURLEncoding.DecodeString(data)
	if err != nil {
		// Some encoders use the standard alphabet.
		if raw, err = base64.RawStdEncoding.DecodeString(data); err != nil {
			return ""
		}
	}
	return toUTF8(raw, p.charset())
}

// charset returns the charset parameter of the part's Content-Type, lower
// case, or "".
func (p *part) charset() string {
	for _, h := range p.Headers {
		if strings.EqualFold(h.Name, "Content-Type") {
			if _, params, err := mime.ParseMediaType(h.Value); err == nil {
				return strings.ToLower(params["charset"])
			}
		}
	}
	return ""
}

// charsets are the 8-bit charsets mail still uses, by their common names.
// Others (the CJK ones) are read as UTF-8, invalid bytes replaced.
var charsets = map[string]encoding.Encoding{
	"iso-8859-1": charmap.ISO8859_1, "latin1": charmap.ISO8859_1, "iso-8859-2": charmap.ISO8859_2,
	"iso-8859-15": charmap.ISO8859_15, "windows-1250": charmap.Windows1250, "windows-1251": charmap.Windows1251,
	"windows-1252": charmap.Windows1252, "cp1252": charmap.Windows1252, "koi8-r": charmap.KOI8R,
}

func toUTF8(b []byte, charset string) string {
	if enc, ok := charsets[charset]; ok {
		if out, err := enc.NewDecoder().Bytes(b); err == nil {
			return string(out)
		}
	}
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// attachment is a file of a message, as get_gmail_message lists it.
type attachment struct {
	PartID   string `json:"partId"`
	Filename string `json:"filename"`
	MimeType string `json:"mimeType"`
	Size     int64  `json:"size"`
}

// maxAttachments bounds the attachments listed.
const maxAttachments = 50

// attachments lists the files of the tree at p.
func (p *part) attachments() []attachment {
	out := []attachment{}
	var walk func(q *part, depth int)
	walk = func(q *part, depth int) {
		if depth > maxMIMEDepth || len(out) == maxAttachments {
			return
		}
		if len(q.Parts) == 0 && q.Filename != "" {
			name, _ := pdk.CutRunes(q.Filename, 256)
			out = append(out, attachment{PartID: q.PartID, Filename: name, MimeType: q.MimeType, Size: q.Body.Size})
		}
		for i := range q.Parts {
			walk(&q.Parts[i], depth+1)
		}
	}
	walk(p, 0)
	return out
}
