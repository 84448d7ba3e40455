package payloads

import (
	"bytes"
	_ "embed"
	"encoding/json"
)

// Google's answers, in the shapes of the Gmail, Calendar and Drive v3
// references (every field those resources carry, with their real
// formats), generated with plausible text and sizes.

// GoogleGmailList is Gmail's users.messages.list: ten message ids, a
// nextPageToken and a resultSizeEstimate.
//
//go:embed google_gmail_list.json
var GoogleGmailList []byte

// googleGmailMetadata is the ten messages of GoogleGmailList as
// users.messages.get?format=metadata&metadataHeaders=... sends them.
//
//go:embed google_gmail_metadata.json
var googleGmailMetadata []byte

// GoogleGmailMetadata returns the format=metadata answer for the message
// id of GoogleGmailList, or nil.
func GoogleGmailMetadata(id string) []byte {
	var msgs []json.RawMessage
	if json.Unmarshal(googleGmailMetadata, &msgs) != nil {
		return nil
	}
	for _, m := range msgs {
		var v struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(m, &v) == nil && v.ID == id {
			return m
		}
	}
	return nil
}

// GoogleGmailMessage is users.messages.get?format=full of a reply with an
// attachment: multipart/mixed of a multipart/alternative (text/plain and
// text/html, base64url) and two attachments, under the full headers of a
// delivered message (Received chain, ARC, DKIM) (16 KB).
//
//go:embed google_gmail_message.json
var GoogleGmailMessage []byte

// GoogleGmailMessageHTML is users.messages.get?format=full of a newsletter
// with no text/plain part: multipart/related of a text/html part in
// ISO-8859-1 and an inline image.
//
//go:embed google_gmail_message_html.json
var GoogleGmailMessageHTML []byte

// GoogleCalendarEvents is Calendar's events.list with singleEvents=true:
// 50 events, timed and all-day, with attendees, conference data and
// recurring instances, and a nextPageToken (120 KB).
//
//go:embed google_calendar_events.json
var GoogleCalendarEvents []byte

// GoogleDriveFiles is Drive's files.list: 25 files of several types (Docs,
// Sheets, Slides, PDF, text, image, folder) and a nextPageToken.
//
//go:embed google_drive_files.json
var GoogleDriveFiles []byte

// GoogleDriveFile is Drive's files.get of a Google Doc.
//
//go:embed google_drive_file.json
var GoogleDriveFile []byte

// GoogleDocsExport is files.export?mimeType=text/plain of that Doc: UTF-8
// with a byte-order mark and CRLF line ends, as Drive exports it (19 KB).
//
//go:embed google_docs_export.txt
var GoogleDocsExport []byte

// googleUser is the local part of the address of the user whose mail,
// calendar and files the Google payloads are (alex.doe@example.com).
const googleUser = "alex.doe"

// GoogleAs returns a Google payload with its user's address renamed
// user@example.com (user: letters, digits, ".", "_" and "-"), so that an
// answer names the caller, as As does for GitHub's.
func GoogleAs(payload []byte, user string) []byte {
	return bytes.ReplaceAll(payload, []byte(googleUser+"@"), []byte(user+"@"))
}
