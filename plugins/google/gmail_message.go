package main

import (
	"html"
	"net/url"
	"strconv"

	"github.com/wasmcp/wasmcp/pdk"
)

var getMessageTool = pdk.NewTool("get_gmail_message",
	"Returns one Gmail message: its headers (From, To, Cc, Subject, Date, Reply-To, "+
		"Message-ID...), labels, and its body as plain text: the text/plain part when "+
		"there is one, else the text/html part turned into text. Attachments are listed "+
		"by name, type and size. The body is cut to max_body_chars.",
	getMessage, pdk.ReadOnly("Gmail message"))

type getMessageArgs struct {
	ID           string `json:"id" pattern:"^[A-Za-z0-9]{1,64}$" jsonschema:"The message's id, as search_gmail_messages returns it."`
	MaxBodyChars *int   `json:"max_body_chars" minimum:"1" maximum:"100000" default:"20000" jsonschema:"The most characters of the body to return."`
}

// messageHeaders are the headers get_gmail_message returns.
var messageHeaders = []string{"From", "To", "Cc", "Bcc", "Reply-To", "Subject", "Date", "Message-ID", "In-Reply-To", "List-Id"}

// fullMessage is the part of users.messages.get?format=full the tool reads;
// the payload is the MIME tree (mime.go).
type fullMessage struct {
	ID           string   `json:"id"`
	ThreadID     string   `json:"threadId"`
	LabelIDs     []string `json:"labelIds"`
	Snippet      string   `json:"snippet"`
	InternalDate string   `json:"internalDate"`
	SizeEstimate int64    `json:"sizeEstimate"`
	Payload      part     `json:"payload"`
}

type message struct {
	ID           string            `json:"id"`
	ThreadID     string            `json:"threadId"`
	LabelIDs     []string          `json:"labelIds"`
	Snippet      string            `json:"snippet"`
	Headers      map[string]string `json:"headers" jsonschema:"The message's From, To, Cc, Bcc, Reply-To, Subject, Date, Message-ID, In-Reply-To and List-Id headers, those it has."`
	InternalDate string            `json:"internalDate"`
	Received     string            `json:"received,omitempty" jsonschema:"internalDate as an RFC 3339 time."`
	SizeEstimate int64             `json:"sizeEstimate"`
	Body         string            `json:"body" jsonschema:"The message's text."`
	BodyMimeType string            `json:"body_mime_type,omitempty" enum:"text/plain,text/html" jsonschema:"The part the body comes from: text/plain, or text/html turned into text."`
	Truncated    bool              `json:"body_truncated,omitempty" jsonschema:"The body was cut to max_body_chars."`
	Attachments  []attachment      `json:"attachments"`
}

func getMessage(c *pdk.Call, a getMessageArgs) (message, error) {
	limit := 20000
	if a.MaxBodyChars != nil {
		limit = *a.MaxBodyChars
	}
	path, err := pdk.Path("users", "me", "messages", a.ID)
	if err != nil {
		return message{}, err
	}
	var m fullMessage
	t := target{what: "Gmail message " + strconv.Quote(a.ID), scope: scopeGmail, base: gmailBase, path: path,
		query: url.Values{"format": {"full"}}}
	if _, err := get(c, t, "", &m); err != nil {
		return message{}, err
	}
	body := m.Payload.text()
	text, cut := pdk.CutRunes(body.text, limit)
	return message{
		ID: m.ID, ThreadID: m.ThreadID, LabelIDs: nonNil(m.LabelIDs), Snippet: html.UnescapeString(m.Snippet),
		Headers:      pickHeaders(m.Payload.Headers, messageHeaders, maxHeaderValue),
		InternalDate: m.InternalDate, Received: epochMillis(m.InternalDate), SizeEstimate: m.SizeEstimate,
		Body: text, BodyMimeType: body.mimeType, Truncated: cut, Attachments: m.Payload.attachments(),
	}, nil
}
