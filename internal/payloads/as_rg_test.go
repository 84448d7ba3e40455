package payloads

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestRedditAndGoogleAs: the renamed payloads are still JSON and name the
// user where the originals named theirs.
func TestRedditAndGoogleAs(t *testing.T) {
	for name, tt := range map[string]struct {
		got  []byte
		want string
		n    int
	}{
		"reddit comments": {RedditAs(RedditPostComments, "QQuserQQ"), `"author":"QQuserQQ"`, 4},
		"calendar":        {GoogleAs(GoogleCalendarEvents, "QQuserQQ"), `"QQuserQQ@example.com"`, 101},
		"gmail message":   {GoogleAs(GoogleGmailMessage, "QQuserQQ"), `QQuserQQ@example.com`, 6},
	} {
		if !json.Valid(tt.got) {
			t.Errorf("%s: not JSON after renaming", name)
		}
		if n := bytes.Count(tt.got, []byte(tt.want)); n < 1 || bytes.Count(tt.got, []byte("QQuserQQ")) != tt.n {
			t.Errorf("%s: %d of %s, %d of the name; want %d", name, n, tt.want, bytes.Count(tt.got, []byte("QQuserQQ")), tt.n)
		}
	}
	if !bytes.Equal(GoogleGmailMetadata("nope"), nil) || GoogleGmailMetadata("") != nil {
		t.Error("GoogleGmailMetadata of an unknown id is not nil")
	}
	var list struct{ Messages []struct{ ID string } }
	json.Unmarshal(GoogleGmailList, &list)
	for _, m := range list.Messages {
		if GoogleGmailMetadata(m.ID) == nil {
			t.Errorf("no metadata for listed message %s", m.ID)
		}
	}
}
