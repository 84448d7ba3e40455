package main

import (
	"errors"
	"html"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wasmcp/wasmcp/pdk"
)

var searchMessagesTool = pdk.NewTool("search_gmail_messages",
	"Searches the connected user's Gmail with Gmail's search syntax (from:, to:, "+
		"subject:, has:attachment, is:unread, label:, after:2024/01/31, newer_than:7d, "+
		"\"exact phrase\", OR, -word), newest first. Each message has its id and threadId "+
		"(for get_gmail_message), labelIds, snippet, the From, To, Cc, Subject and Date "+
		"headers, and when Gmail received it. Pass the returned next as page_token to get "+
		"the next page; next is null on the last page.",
	searchMessages, pdk.ReadOnly("Gmail search"))

type searchMessagesArgs struct {
	Q                *string  `json:"q" maxLength:"1024" jsonschema:"A Gmail search query, as typed in Gmail's search box; all messages when absent."`
	LabelIDs         []string `json:"label_ids,omitempty" maxItems:"10" pattern:"^[A-Za-z0-9_-]{1,64}$" jsonschema:"Only messages with all these label ids (INBOX, UNREAD, STARRED, Label_12...)."`
	IncludeSpamTrash *bool    `json:"include_spam_trash" default:"false" jsonschema:"Include messages in Spam and Trash."`
	MaxResults       *int     `json:"max_results" minimum:"1" maximum:"15" default:"10" jsonschema:"Messages per page, 1 to 15 (the tool reads each message's headers with a request of its own)."`
	PageToken        *string  `json:"page_token" maxLength:"512" pattern:"^[\\x21-\\x7e]+$" jsonschema:"The next value of the previous page, to get the page that follows it."`
}

// messageList is the part of users.messages.list's answer the tool reads.
type messageList struct {
	Messages []struct {
		ID string `json:"id"`
	} `json:"messages"`
	NextPageToken      *string `json:"nextPageToken"`
	ResultSizeEstimate int     `json:"resultSizeEstimate"`
}

var messageListSelect = pdk.SelectOf(messageList{})

// metadataHeaders are the headers search_gmail_messages returns.
var metadataHeaders = []string{"From", "To", "Cc", "Subject", "Date"}

// messageMeta is the part of users.messages.get?format=metadata the tool
// reads; the host keeps only these fields, and the headers.
type messageMeta struct {
	ID           string   `json:"id"`
	ThreadID     string   `json:"threadId"`
	LabelIDs     []string `json:"labelIds"`
	Snippet      string   `json:"snippet"`
	InternalDate string   `json:"internalDate"`
	SizeEstimate int64    `json:"sizeEstimate"`
	Headers      []header `json:"headers" select:"payload.headers"`
}

var messageMetaSelect = pdk.SelectOf(messageMeta{})

// header is one of a message part's headers, as Gmail lists them.
type header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// messageSummary is one message as search_gmail_messages returns it.
type messageSummary struct {
	ID           string            `json:"id"`
	ThreadID     string            `json:"threadId"`
	LabelIDs     []string          `json:"labelIds"`
	Snippet      string            `json:"snippet"`
	Headers      map[string]string `json:"headers" jsonschema:"The From, To, Cc, Subject and Date headers the message has."`
	InternalDate string            `json:"internalDate" jsonschema:"When Gmail received the message, in milliseconds since 1970, as Gmail sends it."`
	Received     string            `json:"received,omitempty" jsonschema:"internalDate as an RFC 3339 time."`
	SizeEstimate int64             `json:"sizeEstimate"`
}

type messagesPage struct {
	Messages           []messageSummary `json:"messages"`
	Count              int              `json:"count"`
	ResultSizeEstimate int              `json:"resultSizeEstimate" jsonschema:"Gmail's estimate of the number of messages that match."`
	Next               *string          `json:"next" jsonschema:"Pass as page_token to get the next page; null on the last page."`
}

func searchMessages(c *pdk.Call, a searchMessagesArgs) (messagesPage, error) {
	q := url.Values{}
	if a.Q != nil {
		q.Set("q", *a.Q)
	}
	for _, l := range a.LabelIDs {
		q.Add("labelIds", l)
	}
	if a.IncludeSpamTrash != nil && *a.IncludeSpamTrash {
		q.Set("includeSpamTrash", "true")
	}
	n := 10
	if a.MaxResults != nil {
		n = *a.MaxResults
	}
	q.Set("maxResults", strconv.Itoa(n))
	if a.PageToken != nil {
		q.Set("pageToken", *a.PageToken)
	}
	var list messageList
	t := target{what: "the Gmail mailbox", scope: scopeGmail, base: gmailBase, path: "/users/me/messages", query: q}
	if _, err := get(c, t, messageListSelect, &list); err != nil {
		return messagesPage{}, err
	}
	page := messagesPage{Messages: []messageSummary{}, ResultSizeEstimate: list.ResultSizeEstimate, Next: list.NextPageToken}
	if page.Next != nil && *page.Next == "" {
		page.Next = nil
	}
	for _, m := range list.Messages {
		s, err := messageMetadata(c, m.ID)
		var se *pdk.StatusError
		if errors.As(err, &se) && se.Status == 404 {
			continue // deleted since it was listed
		}
		if err != nil {
			return messagesPage{}, err
		}
		page.Messages = append(page.Messages, s)
	}
	page.Count = len(page.Messages)
	return page, nil
}

// messageMetadata reads one message's metadata and the headers the tool
// returns.
func messageMetadata(c *pdk.Call, id string) (messageSummary, error) {
	path, err := pdk.Path("users", "me", "messages", id)
	if err != nil {
		return messageSummary{}, err
	}
	q := url.Values{"format": {"metadata"}, "metadataHeaders": metadataHeaders}
	var m messageMeta
	t := target{what: "Gmail message " + strconv.Quote(id), scope: scopeGmail, base: gmailBase, path: path, query: q}
	if _, err := get(c, t, messageMetaSelect, &m); err != nil {
		return messageSummary{}, err
	}
	return messageSummary{
		ID: m.ID, ThreadID: m.ThreadID, LabelIDs: nonNil(m.LabelIDs), Snippet: html.UnescapeString(m.Snippet),
		Headers: pickHeaders(m.Headers, metadataHeaders, maxHeaderValue), InternalDate: m.InternalDate,
		Received: epochMillis(m.InternalDate), SizeEstimate: m.SizeEstimate,
	}, nil
}

// maxHeaderValue bounds each header value returned, in runes.
const maxHeaderValue = 2000

// pickHeaders returns the headers of hs named in names (matched without
// case, under the name as names spells it), the first of each, clipped.
func pickHeaders(hs []header, names []string, max int) map[string]string {
	out := map[string]string{}
	for _, h := range hs {
		for _, n := range names {
			if _, seen := out[n]; !seen && strings.EqualFold(h.Name, n) {
				v, _ := pdk.CutRunes(h.Value, max)
				out[n] = v
			}
		}
	}
	return out
}

// epochMillis formats Gmail's internalDate; "" if it is not a number.
func epochMillis(ms string) string {
	n, err := strconv.ParseInt(ms, 10, 64)
	if err != nil || n <= 0 {
		return ""
	}
	return time.UnixMilli(n).UTC().Format(time.RFC3339)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
