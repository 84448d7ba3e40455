package main

import (
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/pdk"
)

var searchFilesTool = pdk.NewTool("search_drive_files",
	"Searches the connected user's Google Drive with Drive's query syntax (name contains "+
		"'budget', fullText contains 'Q3', mimeType = 'application/vnd.google-apps.document', "+
		"modifiedTime > '2025-01-01T00:00:00', 'FOLDER_ID' in parents, trashed = false, "+
		"joined with and, or, not). Each file has its id (for get_drive_file), name, "+
		"mimeType, owners, times, size and links. Pass the returned next as page_token to "+
		"get the next page; there is no next on the last page.",
	searchFiles, pdk.ReadOnly("Drive search"))

var getFileTool = pdk.NewTool("get_drive_file",
	"Returns a Google Drive file's metadata and, for a Google Doc, Sheet or Slides "+
		"deck or a text file, its content as text (a Doc or Slides as plain text, a Sheet's "+
		"first sheet as CSV), cut to max_content_chars. Other files' content is not read.",
	getFile, pdk.ReadOnly("Drive file"))

type searchFilesArgs struct {
	Q                   *string `json:"q" maxLength:"2048" jsonschema:"A Drive search query; every file the user can see when absent."`
	OrderBy             *string `json:"order_by" maxLength:"200" pattern:"^(createdTime|folder|modifiedByMeTime|modifiedTime|name|name_natural|quotaBytesUsed|recency|sharedWithMeTime|starred|viewedByMeTime)( desc)?(,(createdTime|folder|modifiedByMeTime|modifiedTime|name|name_natural|quotaBytesUsed|recency|sharedWithMeTime|starred|viewedByMeTime)( desc)?)*$" jsonschema:"Sort keys, comma-separated, each optionally followed by ' desc': modifiedTime desc, name, folder,name..."`
	PageSize            *int    `json:"page_size" minimum:"1" maximum:"100" default:"25" jsonschema:"Files per page, 1 to 100."`
	PageToken           *string `json:"page_token" maxLength:"1024" pattern:"^[\\x21-\\x7e]+$" jsonschema:"The next value of the previous page, to get the page that follows it."`
	IncludeSharedDrives *bool   `json:"include_shared_drives" default:"false" jsonschema:"Search shared drives too, not only My Drive and files shared with the user."`
}

type user struct {
	DisplayName  *string `json:"displayName"`
	EmailAddress *string `json:"emailAddress"`
}

// file is a File resource as the tools return it, under Drive's names;
// Drive sends only the fields asked for (fileFields), and the host keeps
// only those.
type file struct {
	ID                string   `json:"id"`
	Name              string   `json:"name"`
	MimeType          string   `json:"mimeType"`
	Description       *string  `json:"description"`
	Starred           *bool    `json:"starred"`
	Trashed           *bool    `json:"trashed"`
	Parents           []string `json:"parents"`
	WebViewLink       *string  `json:"webViewLink"`
	CreatedTime       *string  `json:"createdTime"`
	ModifiedTime      *string  `json:"modifiedTime"`
	ViewedByMeTime    *string  `json:"viewedByMeTime"`
	Owners            []user   `json:"owners"`
	LastModifyingUser *user    `json:"lastModifyingUser"`
	Shared            *bool    `json:"shared"`
	Size              *string  `json:"size" jsonschema:"Bytes, as a decimal string; absent for Google Docs, Sheets and Slides."`
	DriveID           *string  `json:"driveId"`
	WebContentLink    *string  `json:"webContentLink"`
	FileExtension     *string  `json:"fileExtension"`
	ShortcutDetails   *struct {
		TargetID       *string `json:"targetId"`
		TargetMimeType *string `json:"targetMimeType"`
	} `json:"shortcutDetails"`
}

// fileFields is the fields parameter that asks Drive for the fields of
// file (Drive sends only id, name, mimeType and kind unless asked).
const fileFields = "id,name,mimeType,description,starred,trashed,parents,webViewLink,createdTime,modifiedTime," +
	"viewedByMeTime,owners(displayName,emailAddress),lastModifyingUser(displayName,emailAddress),shared,size," +
	"driveId,webContentLink,fileExtension,shortcutDetails(targetId,targetMimeType)"

type filesPage struct {
	Files            []file  `json:"files"`
	IncompleteSearch *bool   `json:"incompleteSearch" jsonschema:"Drive did not search every corpus; narrow the search, or search shared drives apart."`
	Next             *string `json:"next" select:"nextPageToken" jsonschema:"Pass as page_token to get the next page; absent on the last page."`
}

var filesSelect = pdk.SelectOf(filesPage{})
var fileSelect = pdk.SelectOf(file{})

func searchFiles(c *pdk.Call, a searchFilesArgs) (pdk.Raw[filesPage], error) {
	q := url.Values{"fields": {"nextPageToken,incompleteSearch,files(" + fileFields + ")"}}
	if a.Q != nil {
		q.Set("q", *a.Q)
	}
	if a.OrderBy != nil {
		q.Set("orderBy", *a.OrderBy)
	}
	n := 25
	if a.PageSize != nil {
		n = *a.PageSize
	}
	q.Set("pageSize", strconv.Itoa(n))
	if a.PageToken != nil {
		q.Set("pageToken", *a.PageToken)
	}
	if a.IncludeSharedDrives != nil && *a.IncludeSharedDrives {
		q.Set("corpora", "allDrives")
		q.Set("includeItemsFromAllDrives", "true")
		q.Set("supportsAllDrives", "true")
	}
	t := target{what: "the Drive file list", scope: scopeDrive, base: driveBase, path: "/files", query: q}
	resp, err := get(c, t, filesSelect, nil)
	if err != nil {
		return nil, err
	}
	return pdk.Raw[filesPage](resp.Raw()), nil
}

type getFileArgs struct {
	FileID          string `json:"file_id" pattern:"^[A-Za-z0-9_-]{1,128}$" jsonschema:"The file's id, as search_drive_files returns it (or from its URL: /d/FILE_ID/)."`
	MaxContentChars *int   `json:"max_content_chars" minimum:"0" maximum:"100000" default:"20000" jsonschema:"The most characters of the content to return; 0 for metadata only."`
}

// exportAs is the text type each Google Workspace type is exported as.
var exportAs = map[string]string{
	"application/vnd.google-apps.document":     "text/plain",
	"application/vnd.google-apps.presentation": "text/plain",
	"application/vnd.google-apps.spreadsheet":  "text/csv",
}

// maxDownload bounds the size of a text file the tool downloads, in bytes.
const maxDownload = 1 << 20

type fileResult struct {
	File             pdk.Raw[file] `json:"file"`
	Content          *string       `json:"content,omitempty" jsonschema:"The file's content as text."`
	ContentMimeType  string        `json:"content_mime_type,omitempty" jsonschema:"The type the content was exported or downloaded as."`
	ContentTruncated bool          `json:"content_truncated,omitempty" jsonschema:"The content was cut to max_content_chars."`
	ContentNote      string        `json:"content_note,omitempty" jsonschema:"Why the content is not included, when it is not."`
}

func getFile(c *pdk.Call, a getFileArgs) (fileResult, error) {
	limit := 20000
	if a.MaxContentChars != nil {
		limit = *a.MaxContentChars
	}
	path, err := pdk.Path("files", a.FileID)
	if err != nil {
		return fileResult{}, err
	}
	what := "Drive file " + strconv.Quote(a.FileID)
	t := target{what: what, scope: scopeDrive, base: driveBase, path: path,
		query: url.Values{"fields": {fileFields}, "supportsAllDrives": {"true"}}}
	resp, err := get(c, t, fileSelect, nil)
	if err != nil {
		return fileResult{}, err
	}
	var meta struct {
		MimeType string  `json:"mimeType"`
		Size     *string `json:"size"`
	}
	if err := json.Unmarshal([]byte(resp.Body), &meta); err != nil {
		return fileResult{}, errors.New("Google answered with a file that is not the JSON expected")
	}
	res := fileResult{File: pdk.Raw[file](resp.Raw())}
	if limit == 0 {
		return res, nil
	}
	ct := target{what: what, scope: scopeDrive, base: driveBase}
	if as, ok := exportAs[meta.MimeType]; ok {
		ct.path, ct.query = path+"/export", url.Values{"mimeType": {as}}
		res.ContentMimeType = as
	} else if isText(meta.MimeType) {
		size, err := strconv.ParseInt(deref(meta.Size), 10, 64)
		if err != nil || size > maxDownload {
			res.ContentNote = "the file is larger than the 1 MiB the tool downloads"
			return res, nil
		}
		ct.query = url.Values{"alt": {"media"}, "supportsAllDrives": {"true"}}
		ct.path = path
		res.ContentMimeType = meta.MimeType
	} else {
		mt, _ := pdk.CutRunes(meta.MimeType, 100)
		res.ContentNote = "the content of a file of type " + strconv.Quote(mt) + " is not read; only Google Docs, Sheets, Slides and text files are"
		return res, nil
	}
	cresp, err := get(c, ct, "", nil)
	var he *pdk.HostError
	if errors.As(err, &he) && he.Code == abi.ErrResponseTooLarge {
		res.ContentMimeType, res.ContentNote = "", "the content is larger than the host hands a plugin"
		return res, nil
	}
	var te *toolError
	if errors.As(err, &te) && slices.Contains(te.reasons, "exportSizeLimitExceeded") {
		res.ContentMimeType, res.ContentNote = "", "the document is too large for Drive to export (10 MB)"
		return res, nil
	}
	if err != nil {
		return fileResult{}, err
	}
	text, cut := pdk.CutRunes(strings.ToValidUTF8(strings.TrimPrefix(cresp.Body, "\uFEFF"), "\uFFFD"), limit)
	res.Content, res.ContentTruncated = &text, cut
	return res, nil
}

// isText reports whether a file of type mt is text the tool can return.
func isText(mt string) bool {
	switch mt {
	case "application/json", "application/xml", "application/x-yaml", "application/javascript", "application/x-sh":
		return true
	}
	return strings.HasPrefix(mt, "text/")
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
