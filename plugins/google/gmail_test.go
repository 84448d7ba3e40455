package main

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/internal/payloads"
	"github.com/wasmcp/wasmcp/pdk/pdktest"
)

const (
	wantListSelect = "{messages:messages.#.{id},nextPageToken,resultSizeEstimate}"
	wantMetaSelect = "{id,threadId,labelIds,snippet,internalDate,sizeEstimate,headers:payload.headers}"
	metaQuery      = "format=metadata&metadataHeaders=From&metadataHeaders=To&metadataHeaders=Cc&metadataHeaders=Subject&metadataHeaders=Date"
)

// fakeGmail answers users.messages.list with list, and
// users.messages.get with the payloads' metadata; a missing id is a 404.
func fakeGmail(list []byte) pdktest.Responder {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /gmail/v1/users/me/messages", func(w http.ResponseWriter, r *http.Request) { w.Write(list) })
	mux.HandleFunc("GET /gmail/v1/users/me/messages/{id}", func(w http.ResponseWriter, r *http.Request) {
		m := payloads.GoogleGmailMetadata(r.PathValue("id"))
		if m == nil || r.URL.Query().Get("format") != "metadata" {
			w.WriteHeader(404)
			w.Write([]byte(`{"error": {"code": 404, "message": "Requested entity was not found.", "errors": [{"message": "Requested entity was not found.", "domain": "global", "reason": "notFound"}], "status": "NOT_FOUND"}}`))
			return
		}
		w.Write(m)
	})
	return pdktest.Handler(mux)
}

func TestSearchMessages(t *testing.T) {
	h := pdktest.NewHost(plugin, fakeGmail(payloads.GoogleGmailList))
	res := h.Call(t, "search_gmail_messages", map[string]any{"q": "from:ada has:attachment newer_than:7d", "label_ids": []string{"INBOX", "Label_12"}, "max_results": 10, "page_token": "123"})
	page := pdktest.Content[messagesPage](t, res)

	var list struct {
		Messages []struct{ ID, ThreadID string } `json:"messages"`
	}
	json.Unmarshal(payloads.GoogleGmailList, &list)
	want := []abi.HTTPRequest{{URL: "https://gmail.googleapis.com/gmail/v1/users/me/messages?labelIds=INBOX&labelIds=Label_12&maxResults=10&pageToken=123&q=from%3Aada+has%3Aattachment+newer_than%3A7d", Select: wantListSelect}}
	for _, m := range list.Messages {
		want = append(want, abi.HTTPRequest{URL: "https://gmail.googleapis.com/gmail/v1/users/me/messages/" + m.ID + "?" + metaQuery, Select: wantMetaSelect})
	}
	wantRequests(t, h, want...)

	if page.Count != 10 || len(page.Messages) != 10 || page.ResultSizeEstimate != 201 || page.Next == nil || *page.Next != "09876543210987654321" {
		t.Fatalf("page: count %d, estimate %d, next %v", page.Count, page.ResultSizeEstimate, page.Next)
	}
	for i, m := range page.Messages {
		var raw struct {
			ID, ThreadID, Snippet, InternalDate string
			LabelIDs                            []string `json:"labelIds"`
			Payload                             struct{ Headers []header }
		}
		json.Unmarshal(payloads.GoogleGmailMetadata(list.Messages[i].ID), &raw)
		if m.ID != raw.ID || m.ThreadID != raw.ThreadID || m.Snippet != html.UnescapeString(raw.Snippet) || m.InternalDate != raw.InternalDate ||
			len(m.LabelIDs) != len(raw.LabelIDs) || m.Received == "" || m.SizeEstimate == 0 {
			t.Errorf("message %d = %+v", i, m)
		}
		for _, hd := range raw.Payload.Headers {
			if m.Headers[hd.Name] != hd.Value {
				t.Errorf("message %d: header %s = %q, want %q", i, hd.Name, m.Headers[hd.Name], hd.Value)
			}
		}
		if m.Headers["From"] == "" || m.Headers["Subject"] == "" || len(m.Headers) != len(raw.Payload.Headers) {
			t.Errorf("message %d: headers %v", i, m.Headers)
		}
		if strings.Contains(m.Snippet, "&#39;") {
			t.Errorf("message %d: snippet %q still HTML-escaped", i, m.Snippet)
		}
	}
}

// TestSearchMessagesLastPageAndGone: no nextPageToken is next: null; a
// message deleted between the list and its read is left out; no match is
// an empty page (Gmail then sends no messages at all).
func TestSearchMessagesLastPageAndGone(t *testing.T) {
	var list map[string]any
	json.Unmarshal(payloads.GoogleGmailList, &list)
	delete(list, "nextPageToken")
	msgs := list["messages"].([]any)
	list["messages"] = append(msgs[:2:2], map[string]any{"id": "ffffffffffffffff", "threadId": "ffffffffffffffff"})
	body, _ := json.Marshal(list)
	h := pdktest.NewHost(plugin, fakeGmail(body))
	res := h.Call(t, "search_gmail_messages", nil)
	page := pdktest.Content[messagesPage](t, res)
	if page.Count != 2 || page.Next != nil || len(h.Requests()) != 4 {
		t.Errorf("page: count %d, next %v, %d requests", page.Count, page.Next, len(h.Requests()))
	}
	if next, ok := res.Content["next"]; !ok || next != nil {
		t.Errorf("next = %v, %v; want null", next, ok)
	}
	if u := h.Requests()[0].URL; u != "https://gmail.googleapis.com/gmail/v1/users/me/messages?maxResults=10" {
		t.Errorf("list URL %s", u)
	}

	h = pdktest.NewHost(plugin, fakeGmail([]byte(`{"resultSizeEstimate": 0}`)))
	pdktest.WantContent(t, h.Call(t, "search_gmail_messages", map[string]any{"q": "nothing matches", "include_spam_trash": true}), messagesPage{Messages: []messageSummary{}})
	if u, _ := url.Parse(h.Requests()[0].URL); u.Query().Get("includeSpamTrash") != "true" {
		t.Errorf("URL %s lacks includeSpamTrash", u)
	}
}

func TestSearchMessagesArguments(t *testing.T) {
	for _, tt := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"max_results": 16}, "at /max_results: maximum: got 16, want 15"},
		{map[string]any{"max_results": 0}, "at /max_results: minimum: got 0, want 1"},
		{map[string]any{"q": strings.Repeat("a", 1025)}, "at /q: maxLength: got 1,025, want 1,024"},
		{map[string]any{"label_ids": []string{"INBOX", "a b"}}, "at /label_ids/1: 'a b' does not match pattern"},
		{map[string]any{"label_ids": []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"}}, "at /label_ids: maxItems: got 11, want 10"},
		{map[string]any{"page_token": "a b"}, "at /page_token: 'a b' does not match pattern"},
		{map[string]any{"pageToken": "1"}, "additional properties 'pageToken' not allowed"},
	} {
		h := pdktest.NewHost(plugin, fakeGmail(payloads.GoogleGmailList))
		res := h.Call(t, "search_gmail_messages", tt.args)
		if !res.IsError || !strings.Contains(res.Message, tt.want) || len(h.Requests()) != 0 {
			t.Errorf("%v: result %+v, want error %q and no request", tt.args, res, tt.want)
		}
	}
}

func TestSearchMessagesErrors(t *testing.T) {
	testErrors(t, "search_gmail_messages", map[string]any{"q": "is:unread"}, "the Gmail mailbox", scopeGmail)
}

func TestGetMessage(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, string(payloads.GoogleGmailMessage)))
	res := h.Call(t, "get_gmail_message", map[string]any{"id": "19adf0c4e2b7a931"})
	wantRequests(t, h, abi.HTTPRequest{URL: "https://gmail.googleapis.com/gmail/v1/users/me/messages/19adf0c4e2b7a931?format=full"})
	m := pdktest.Content[message](t, res)
	var raw struct {
		Payload struct {
			Parts []struct {
				Parts []struct {
					Body struct{ Data string }
				}
			}
		}
	}
	json.Unmarshal(payloads.GoogleGmailMessage, &raw)
	plain := decodeB64(t, raw.Payload.Parts[0].Parts[0].Body.Data)
	if m.Body != strings.TrimSpace(plain) || m.BodyMimeType != "text/plain" || m.Truncated {
		t.Errorf("body (%s, truncated %v) = %.200q..., want the text/plain part", m.BodyMimeType, m.Truncated, m.Body)
	}
	if m.Headers["From"] != `"Ada Lovelace" <ada@example.com>` || m.Headers["Subject"] != "Q3 budget review: agenda and draft numbers" ||
		m.Headers["Date"] != "Tue, 2 Dec 2025 08:14:40 -0800" || !strings.HasPrefix(m.Headers["Message-ID"], "<CA+") {
		t.Errorf("headers = %v", m.Headers)
	}
	if _, ok := m.Headers["DKIM-Signature"]; ok {
		t.Error("headers include DKIM-Signature")
	}
	want := []attachment{{PartID: "1", Filename: "Q3-budget-draft.pdf", MimeType: "application/pdf", Size: 248311}, {PartID: "2", Filename: "notes.txt", MimeType: "text/plain", Size: 1822}}
	if !equalAttachments(m.Attachments, want) {
		t.Errorf("attachments = %+v, want %+v", m.Attachments, want)
	}
	if m.ID != "19adf0c4e2b7a931" || m.Received != "2025-12-02T16:14:40Z" || len(m.LabelIDs) != 3 {
		t.Errorf("message = %+v", m)
	}

	h = pdktest.NewHost(plugin, pdktest.Reply(200, nil, string(payloads.GoogleGmailMessage)))
	m = pdktest.Content[message](t, h.Call(t, "get_gmail_message", map[string]any{"id": "19adf0c4e2b7a931", "max_body_chars": 100}))
	if len([]rune(m.Body)) != 100 || !m.Truncated || !strings.HasPrefix(plain, m.Body) {
		t.Errorf("max_body_chars 100: %d runes, truncated %v", len([]rune(m.Body)), m.Truncated)
	}
}

// TestGetMessageHTMLOnly: with no text/plain part, the text/html one is
// turned into text, from its charset.
func TestGetMessageHTMLOnly(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, string(payloads.GoogleGmailMessageHTML)))
	m := pdktest.Content[message](t, h.Call(t, "get_gmail_message", map[string]any{"id": "19adf1d2a3b4c5d6"}))
	if m.BodyMimeType != "text/html" || !strings.HasPrefix(m.Body, "Café news & updates\n\nHello Alex,\n\n") {
		t.Errorf("body (%s) = %q", m.BodyMimeType, m.Body)
	}
	for _, w := range []string{"- First item\n- Second item", "Read the post (https://example.com/blog/post-1) or click here."} {
		if !strings.Contains(m.Body, w) {
			t.Errorf("body lacks %q:\n%s", w, m.Body)
		}
	}
	for _, no := range []string{"font-family", "var t", "Newsletter", "<", "&amp;", "track?u="} {
		if strings.Contains(m.Body, no) {
			t.Errorf("body holds %q:\n%s", no, m.Body)
		}
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "logo.png" {
		t.Errorf("attachments = %+v", m.Attachments)
	}
}

func TestGetMessageArguments(t *testing.T) {
	for _, tt := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{}, "missing property 'id'"},
		{map[string]any{"id": "../drafts"}, "at /id: '../drafts' does not match pattern"},
		{map[string]any{"id": "abc", "max_body_chars": 0}, "at /max_body_chars: minimum: got 0, want 1"},
		{map[string]any{"id": "abc", "max_body_chars": 100001}, "at /max_body_chars: maximum"},
	} {
		h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, "{}"))
		res := h.Call(t, "get_gmail_message", tt.args)
		if !res.IsError || !strings.Contains(res.Message, tt.want) || len(h.Requests()) != 0 {
			t.Errorf("%v: result %+v, want error %q and no request", tt.args, res, tt.want)
		}
	}
}

func TestGetMessageErrors(t *testing.T) {
	testErrors(t, "get_gmail_message", map[string]any{"id": "19adf0c4e2b7a931"}, `Gmail message "19adf0c4e2b7a931"`, scopeGmail)
}

func equalAttachments(a, b []attachment) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
