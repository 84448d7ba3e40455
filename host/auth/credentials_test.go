package auth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// TestCredentialsNeverPrintToken prints Credentials every way fmt, slog and
// encoding/json allow and checks the userToken never shows.
func TestCredentialsNeverPrintToken(t *testing.T) {
	c := testCreds
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x", "%X", "%T %v", "%10v", "%-30s"} {
		outs = append(outs, fmt.Sprintf(verb, c), fmt.Sprintf(verb, &c))
	}
	outs = append(outs, fmt.Sprint(c), fmt.Sprintln(c, &c), c.String(),
		fmt.Sprintf("%v", []Credentials{c}), fmt.Sprintf("%+v", struct{ C Credentials }{c}),
		fmt.Sprintf("%v", map[string]Credentials{"k": c}))

	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	outs = append(outs, string(raw))
	if want := `{"userId":"user_123","providerId":"reddit"}`; string(raw) != want {
		t.Errorf("json = %s, want %s", raw, want)
	}

	var buf bytes.Buffer
	for _, h := range []slog.Handler{
		slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}),
		slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}),
	} {
		l := slog.New(h)
		l.Debug("creds", "c", c, "p", &c)
		l.Info("creds", slog.Any("c", c))
	}
	outs = append(outs, buf.String())
	if !strings.Contains(buf.String(), `"c":{"userId":"user_123","providerId":"reddit"}`) {
		t.Errorf("slog JSON output lacks the credentials group:\n%s", buf.String())
	}

	for _, out := range outs {
		if strings.Contains(out, testUserToken) {
			t.Errorf("output leaks the userToken: %s", out)
		}
	}
	if got, want := c.String(), `{userId="user_123" providerId="reddit" userToken=REDACTED}`; got != want {
		t.Errorf("String() = %s, want %s", got, want)
	}
	if got := fmt.Sprintf("%#v", c); !strings.HasPrefix(got, "auth.Credentials{") {
		t.Errorf("%%#v = %s", got)
	}
}
