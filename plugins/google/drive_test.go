package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/internal/payloads"
	"github.com/wasmcp/wasmcp/pdk/pdktest"
)

const wantFileSelect = "{id,name,mimeType,description,starred,trashed,parents,webViewLink,createdTime,modifiedTime,viewedByMeTime," +
	"owners:owners.#.{displayName,emailAddress},lastModifyingUser:lastModifyingUser.{displayName,emailAddress},shared,size," +
	"driveId,webContentLink,fileExtension,shortcutDetails:shortcutDetails.{targetId,targetMimeType}}"

const wantFieldsParam = "id%2Cname%2CmimeType%2Cdescription%2Cstarred%2Ctrashed%2Cparents%2CwebViewLink%2CcreatedTime%2CmodifiedTime%2CviewedByMeTime%2C" +
	"owners%28displayName%2CemailAddress%29%2ClastModifyingUser%28displayName%2CemailAddress%29%2Cshared%2Csize%2CdriveId%2CwebContentLink%2C" +
	"fileExtension%2CshortcutDetails%28targetId%2CtargetMimeType%29"

func TestSearchFiles(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, string(payloads.GoogleDriveFiles)))
	res := h.Call(t, "search_drive_files", map[string]any{"q": "name contains 'budget' and trashed = false", "order_by": "modifiedTime desc,name", "page_size": 25, "page_token": "~!!~AI9"})
	wantRequests(t, h, abi.HTTPRequest{URL: "https://www.googleapis.com/drive/v3/files?fields=nextPageToken%2CincompleteSearch%2Cfiles%28" + wantFieldsParam + "%29" +
		"&orderBy=modifiedTime+desc%2Cname&pageSize=25&pageToken=~%21%21~AI9&q=name+contains+%27budget%27+and+trashed+%3D+false",
		Select: "{files:files.#." + wantFileSelect + ",incompleteSearch,next:nextPageToken}"})
	page := pdktest.Content[filesPage](t, res)
	var raw struct {
		Files         []map[string]any `json:"files"`
		NextPageToken string           `json:"nextPageToken"`
	}
	json.Unmarshal(payloads.GoogleDriveFiles, &raw)
	if len(page.Files) != 25 || page.Next == nil || *page.Next != raw.NextPageToken || page.IncompleteSearch == nil || *page.IncompleteSearch {
		t.Fatalf("page: %d files, next %v", len(page.Files), page.Next)
	}
	for i, f := range page.Files {
		r := raw.Files[i]
		if f.ID != r["id"] || f.Name != r["name"] || f.MimeType != r["mimeType"] || *f.WebViewLink != r["webViewLink"] ||
			len(f.Owners) != 1 || *f.Owners[0].EmailAddress != r["owners"].([]any)[0].(map[string]any)["emailAddress"] {
			t.Errorf("file %d = %+v", i, f)
		}
		if s, ok := r["size"]; ok != (f.Size != nil) || ok && *f.Size != s {
			t.Errorf("file %d: size %v, want %v", i, f.Size, s)
		}
	}
}

func TestSearchFilesSharedDrives(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, `{"files": []}`))
	res := h.Call(t, "search_drive_files", map[string]any{"include_shared_drives": true})
	if u := h.Requests()[0].URL; !strings.Contains(u, "corpora=allDrives&fields=") || !strings.Contains(u, "includeItemsFromAllDrives=true&pageSize=25&supportsAllDrives=true") {
		t.Errorf("URL %s", u)
	}
	if _, ok := res.Content["next"]; ok || res.IsError {
		t.Errorf("result %+v, want no next", res)
	}
}

func TestSearchFilesArguments(t *testing.T) {
	for _, tt := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"page_size": 101}, "at /page_size: maximum: got 101, want 100"},
		{map[string]any{"order_by": "size"}, "at /order_by: 'size' does not match pattern"},
		{map[string]any{"order_by": "name desc,folder"}, ""},
		{map[string]any{"q": strings.Repeat("x", 2049)}, "at /q: maxLength"},
	} {
		h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, `{"files": []}`))
		res := h.Call(t, "search_drive_files", tt.args)
		if tt.want == "" {
			if res.IsError {
				t.Errorf("%v: %s", tt.args, res.Message)
			}
			continue
		}
		if !res.IsError || !strings.Contains(res.Message, tt.want) || len(h.Requests()) != 0 {
			t.Errorf("%v: result %+v, want error %q and no request", tt.args, res, tt.want)
		}
	}
}

func TestSearchFilesErrors(t *testing.T) {
	testErrors(t, "search_drive_files", map[string]any{"q": "starred = true"}, "the Drive file list", scopeDrive)
}

// fakeDrive serves files.get with meta, files.export with the Docs export,
// and alt=media with media.
func fakeDrive(meta []byte, media string) pdktest.Responder {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /drive/v3/files/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("alt") == "media" {
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte(media))
			return
		}
		w.Write(meta)
	})
	mux.HandleFunc("GET /drive/v3/files/{id}/export", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", r.URL.Query().Get("mimeType"))
		w.Write(payloads.GoogleDocsExport)
	})
	return pdktest.Handler(mux)
}

const docID = "1aBcD3fGhIjKlMnOpQrStUvWxYz0123456789-_AbCd"

func TestGetFileExportsADoc(t *testing.T) {
	h := pdktest.NewHost(plugin, fakeDrive(payloads.GoogleDriveFile, ""))
	res := h.Call(t, "get_drive_file", map[string]any{"file_id": docID})
	wantRequests(t, h,
		abi.HTTPRequest{URL: "https://www.googleapis.com/drive/v3/files/" + docID + "?fields=" + wantFieldsParam + "&supportsAllDrives=true", Select: wantFileSelect},
		abi.HTTPRequest{URL: "https://www.googleapis.com/drive/v3/files/" + docID + "/export?mimeType=text%2Fplain"})
	got := pdktest.Content[struct {
		File             file   `json:"file"`
		Content          string `json:"content"`
		ContentMimeType  string `json:"content_mime_type"`
		ContentTruncated bool   `json:"content_truncated"`
	}](t, res)
	export := strings.TrimPrefix(string(payloads.GoogleDocsExport), "\uFEFF")
	if got.File.ID != docID || got.File.Name != "Q3 planning design doc" || got.File.MimeType != "application/vnd.google-apps.document" {
		t.Errorf("file = %+v", got.File)
	}
	if got.Content != export || got.ContentMimeType != "text/plain" || got.ContentTruncated {
		t.Errorf("content (%s, truncated %v): %d bytes, want the export's %d", got.ContentMimeType, got.ContentTruncated, len(got.Content), len(export))
	}

	h = pdktest.NewHost(plugin, fakeDrive(payloads.GoogleDriveFile, ""))
	res = h.Call(t, "get_drive_file", map[string]any{"file_id": docID, "max_content_chars": 50})
	if c, _ := res.Content["content"].(string); len([]rune(c)) != 50 || res.Content["content_truncated"] != true || !strings.HasPrefix(export, c) {
		t.Errorf("max_content_chars 50: %+v", res.Content)
	}

	h = pdktest.NewHost(plugin, fakeDrive(payloads.GoogleDriveFile, ""))
	res = h.Call(t, "get_drive_file", map[string]any{"file_id": docID, "max_content_chars": 0})
	if _, ok := res.Content["content"]; ok || len(h.Requests()) != 1 {
		t.Errorf("max_content_chars 0: %+v, %d requests; want metadata only", res.Content, len(h.Requests()))
	}
}

func TestGetFileOtherTypes(t *testing.T) {
	for _, tt := range []struct {
		meta, mime, note string
		requests         int
	}{
		{`{"id": "s1", "name": "Budget", "mimeType": "application/vnd.google-apps.spreadsheet"}`, "text/csv", "", 2},
		{`{"id": "t1", "name": "notes.txt", "mimeType": "text/plain", "size": "12"}`, "text/plain", "", 2},
		{`{"id": "t2", "name": "big.log", "mimeType": "text/plain", "size": "5000000"}`, "", "larger than the 1 MiB", 1},
		{`{"id": "p1", "name": "x.pdf", "mimeType": "application/pdf", "size": "100"}`, "", `the content of a file of type "application/pdf" is not read`, 1},
	} {
		h := pdktest.NewHost(plugin, fakeDrive([]byte(tt.meta), "hello, drive"))
		res := h.Call(t, "get_drive_file", map[string]any{"file_id": "abc"})
		if res.IsError || len(h.Requests()) != tt.requests {
			t.Errorf("%s: %+v, %d requests", tt.meta, res, len(h.Requests()))
			continue
		}
		if m, _ := res.Content["content_mime_type"].(string); m != tt.mime {
			t.Errorf("%s: content_mime_type %q, want %q", tt.meta, m, tt.mime)
		}
		if n, _ := res.Content["content_note"].(string); !strings.Contains(n, tt.note) || (tt.note == "") != (n == "") {
			t.Errorf("%s: content_note %q, want %q", tt.meta, n, tt.note)
		}
	}
	h := pdktest.NewHost(plugin, fakeDrive([]byte(`{"id": "t1", "mimeType": "text/plain", "size": "12"}`), "hello, drive"))
	if res := h.Call(t, "get_drive_file", map[string]any{"file_id": "t1"}); res.Content["content"] != "hello, drive" ||
		h.Requests()[1].URL != "https://www.googleapis.com/drive/v3/files/t1?alt=media&supportsAllDrives=true" {
		t.Errorf("text file: %+v, %s", res.Content, h.Requests()[1].URL)
	}
}

// TestGetFileTooLargeToExport: an export past the host's response cap
// leaves the metadata, with a note.
func TestGetFileTooLargeToExport(t *testing.T) {
	h := pdktest.NewHost(plugin, func(req abi.HTTPRequest) abi.HTTPResponse {
		if strings.Contains(req.URL, "/export") {
			return abi.HTTPResponse{Error: abi.ErrResponseTooLarge, ErrorMessage: "the response body is larger than 4194304 bytes"}
		}
		return abi.HTTPResponse{Status: 200, Body: string(payloads.GoogleDriveFile)}
	})
	res := h.Call(t, "get_drive_file", map[string]any{"file_id": docID})
	if res.IsError || res.Content["content_note"] != "the content is larger than the host hands a plugin" || res.Content["file"] == nil {
		t.Errorf("result = %+v", res)
	}
}

func TestGetFileArguments(t *testing.T) {
	for _, tt := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{}, "missing property 'file_id'"},
		{map[string]any{"file_id": "a/b"}, "at /file_id: 'a/b' does not match pattern"},
		{map[string]any{"file_id": "abc", "max_content_chars": -1}, "at /max_content_chars: minimum: got -1, want 0"},
	} {
		h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, "{}"))
		res := h.Call(t, "get_drive_file", tt.args)
		if !res.IsError || !strings.Contains(res.Message, tt.want) || len(h.Requests()) != 0 {
			t.Errorf("%v: result %+v, want error %q and no request", tt.args, res, tt.want)
		}
	}
}

func TestGetFileErrors(t *testing.T) {
	testErrors(t, "get_drive_file", map[string]any{"file_id": docID}, `Drive file "`+docID+`"`, scopeDrive)
}

// TestGetFileExportSizeLimit: a Doc Drive will not export (403
// exportSizeLimitExceeded) leaves the metadata, with a note.
func TestGetFileExportSizeLimit(t *testing.T) {
	h := pdktest.NewHost(plugin, func(req abi.HTTPRequest) abi.HTTPResponse {
		if strings.Contains(req.URL, "/export") {
			return abi.HTTPResponse{Status: 403, Body: googleErr(403, "PERMISSION_DENIED", "exportSizeLimitExceeded", "This file is too large to be exported.")}
		}
		return abi.HTTPResponse{Status: 200, Body: string(payloads.GoogleDriveFile)}
	})
	res := h.Call(t, "get_drive_file", map[string]any{"file_id": docID})
	if res.IsError || res.Content["content_note"] != "the document is too large for Drive to export (10 MB)" || res.Content["file"] == nil {
		t.Errorf("result = %+v", res)
	}
}
