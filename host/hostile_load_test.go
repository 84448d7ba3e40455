package host

// Hostile descriptors and slow plugins at load: a plugin that says too much
// of itself, too deep, or with forged text, is refused whole with a short,
// escaped reason, and one that never finishes describing itself is given
// up on, without holding up the plugins beside it.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/wasmcp/wasmcp/host/auth"
	"github.com/wasmcp/wasmcp/internal/safetext"
)

// readGuest returns the bytes of test guest name.
func readGuest(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(guestFile(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestHostileDescriptors: descriptors nested 2,500 (in a schema) and 9,998
// (in a field the host does not know) levels deep, a description twice the
// size of a whole descriptor's limit and strings forging terminal and log
// lines are each refused at load with the
// field and the limit named; the reasons, in the log (text or JSON) and in
// the error, are short and escaped; the github plugin beside them loads, and
// tools/list lists only its tools.
func TestHostileDescriptors(t *testing.T) {
	precompile()
	files := map[string][]byte{"github.wasm": readGuestPlugin(t)}
	want := map[string][]string{
		"deepschema.wasm":      {"wasmcp_describe returned JSON nested deeper than 64 levels, the host's limit"},
		"deepdescriptor.wasm":  {"wasmcp_describe returned JSON nested deeper than 64 levels"},
		"hugedescription.wasm": {"wasmcp_describe returned 2097", fmt.Sprintf("bytes, above the host's limit of %d for a descriptor", maxDescriptorBytes)},
		"forgedstrings.wasm": {
			`plugin "hostile-forgedstrings": 6 problems:`,
			fmt.Sprintf("version is %d bytes, above the limit of %d", len(forgedVersion()), maxVersionBytes),
			"hosts[0] holds U+202E (a bidi control) at byte 22",
			`tool "hostile_forgedstrings": description holds U+001B (a control character) at byte 6`,
			`inputSchema /properties/\x1b]0;pwned\x07 (key) holds U+001B`,
			`inputSchema /properties/\x1b]0;pwned\x07/description holds U+000D (a control character) at byte 4`,
			`inputSchema /title holds U+200F (a bidi control) at byte 0`,
		},
	}
	for f := range want {
		files[f] = readGuest(t, strings.TrimSuffix(f, ".wasm"))
	}
	var text, jsonLogs syncBuffer
	logger := slog.New(slog.NewMultiHandler(slog.NewTextHandler(&text, nil), slog.NewJSONHandler(&jsonLogs, nil)))
	h, refused := loadDirWith(t, writeFiles(t, files), Config{}, logger)
	for file, parts := range want {
		msg, ok := refused[file]
		if !ok {
			t.Errorf("%s was loaded", file)
			continue
		}
		for _, p := range parts {
			if !strings.Contains(msg, p) {
				t.Errorf("%s refused with %q, which lacks %q", file, safetext.Clip(msg, 3000), p)
			}
		}
		wantCleanError(t, msg)
	}
	if len(refused) != len(want) {
		t.Errorf("refused %d files, want %d: %v", len(refused), len(want), refused)
	}
	if pls := h.Plugins(); len(pls) != 1 || pls[0].Name() != "github" {
		t.Errorf("loaded %v, want github only", pls)
	}
	var tools []string
	for _, pl := range h.Plugins() {
		for _, tool := range pl.Desc.Tools {
			tools = append(tools, tool.Name)
		}
	}
	slices.Sort(tools)
	if !slices.Contains(tools, "get_github_user") {
		t.Errorf("the github plugin's tools %v lack get_github_user", tools)
	}
	wantToolsListed(t, h, tools...)
	wantCleanLog(t, text.String(), "text")
	wantCleanLog(t, jsonLogs.String(), "json")
}

// readGuestPlugin returns the github plugin's bytes.
func readGuestPlugin(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(wasmFile(t, "dist/plugins/github.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// forgedVersion is the version forgedstrings declares, decoded.
func forgedVersion() string {
	forged := "\n\x1b[2K\rgithub  9.9.9  github  https://evil.example  get_github_user  FORGED-ROW\u202e"
	return "1.0" + forged + strings.Repeat("\u2066x", 256<<10/len("\u2066x"))
}

// wantToolsListed fails unless tools/list answers exactly tools.
func wantToolsListed(t *testing.T, h *Host, tools ...string) {
	t.Helper()
	resp := h.MCPServer().HandleMessage(context.Background(), []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
	raw, _ := json.Marshal(resp)
	var parsed struct {
		Result mcp.ListToolsResult `json:"result"`
	}
	if err := json.Unmarshal(raw, &parsed); err != nil {
		t.Fatalf("tools/list: %v: %s", err, safetext.Clip(string(raw), 2000))
	}
	var got []string
	for _, tool := range parsed.Result.Tools {
		got = append(got, tool.Name)
	}
	slices.Sort(got)
	if strings.Join(got, ",") != strings.Join(tools, ",") {
		t.Errorf("tools/list lists %v, want %v", got, tools)
	}
}

// wantCleanLog fails unless every line of logs is one line of printable
// text (a JSON object, for format json) and the whole is small: nothing a
// plugin wrote went to the log raw or whole.
func wantCleanLog(t *testing.T, logs, format string) {
	t.Helper()
	if len(logs) > 64<<10 {
		t.Errorf("the loads logged %d bytes", len(logs))
	}
	for _, line := range strings.Split(strings.TrimSuffix(logs, "\n"), "\n") {
		if esc := safetext.Escape(line); esc != line {
			t.Errorf("a log line holds characters that are not printable: %q", safetext.Clip(line, 500))
		}
		if format == "json" && !json.Valid([]byte(line)) {
			t.Errorf("a log line is not JSON: %s", safetext.Clip(line, 500))
		}
	}
}

// loadDirWith is loadDir with a logger of the test's choosing.
func loadDirWith(t *testing.T, dir string, cfg Config, logger *slog.Logger) (*Host, map[string]string) {
	t.Helper()
	h := newTestHost(t, cfg, logger)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return h, refusals(t, h.LoadDir(ctx, dir))
}

// newTestHost is a Host on the shared compilation cache, with no warm set.
func newTestHost(t *testing.T, cfg Config, logger *slog.Logger) *Host {
	t.Helper()
	cfg.CacheDir = sharedCacheDir()
	cfg.Pool = PoolConfig{Warm: -1}
	h, err := New(Options{Config: cfg, Exchanger: auth.NewMock(), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close(context.Background()) })
	return h
}

// refusals maps the base name of each refused file to its error.
func refusals(t *testing.T, errs []error) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, err := range errs {
		le, ok := err.(*LoadError)
		if !ok {
			t.Fatalf("load error %v is not a *LoadError", err)
		}
		out[filepath.Base(le.File)] = le.Err.Error()
	}
	return out
}

// TestSlowPluginsLoadConcurrently: sixteen plugins that never finish
// describing themselves are all being described at once, none waiting for
// another (a cap on the loads at once would leave some waiting forever
// here), and each is refused at its describe deadline (1s here) with the
// reason, while the github plugin beside them loads.
func TestSlowPluginsLoadConcurrently(t *testing.T) {
	precompile()
	const slow = 16
	files := map[string][]byte{"github.wasm": readGuestPlugin(t)}
	for i := range slow {
		files[fmt.Sprintf("slow%02d.wasm", i)] = readGuest(t, "slowdescribe")
	}
	h := newTestHost(t, Config{}, nil)
	h.loader.describeLimit = time.Second
	var mu sync.Mutex
	describing := map[string]bool{}
	all := make(chan struct{})
	h.loader.describing = func(path string) {
		if !strings.HasPrefix(filepath.Base(path), "slow") {
			return
		}
		mu.Lock()
		describing[path] = true
		if len(describing) == slow {
			close(all)
		}
		mu.Unlock()
		<-all // until every slow plugin is being described
	}
	done := make(chan []error, 1)
	go func() { done <- h.LoadDir(context.Background(), writeFiles(t, files)) }()
	select {
	case <-all:
	case <-time.After(2 * time.Minute):
		mu.Lock()
		n := len(describing)
		mu.Unlock()
		t.Fatalf("only %d of %d slow plugins were being described at once after 2 minutes: loads wait for one another", n, slow)
	}
	refused := refusals(t, <-done)
	if len(refused) != slow {
		t.Errorf("%d files refused, want the %d slow ones: %v", len(refused), slow, refused)
	}
	for file, msg := range refused {
		if !strings.Contains(msg, "the plugin did not describe itself within 1s") {
			t.Errorf("%s refused with %q, want its describe deadline named", file, msg)
		}
	}
	if pls := h.Plugins(); len(pls) != 1 || pls[0].Name() != "github" {
		t.Errorf("loaded %v, want github", pls)
	}
}

// TestLoadStopsOnCancel: stopping a load (as a signal does "host plugins")
// stops a plugin in the middle of describing itself, however long its
// deadline, and says so.
func TestLoadStopsOnCancel(t *testing.T) {
	precompile()
	h := newTestHost(t, Config{}, nil)
	ctx, stop := context.WithCancelCause(context.Background())
	h.loader.describing = func(string) { go stop(errStopLoad) }
	refused := refusals(t, h.LoadDir(ctx, writeFiles(t, map[string][]byte{"slow.wasm": readGuest(t, "slowdescribe")})))
	want := "loading was stopped before the plugin described itself: " + errStopLoad.Error()
	if msg := refused["slow.wasm"]; msg != want {
		t.Errorf("slow.wasm refused with %q, want %q", msg, want)
	}
}

var errStopLoad = errors.New("the test stopped the load")

// TestSlowDescribeDeadline: a plugin that never finishes describing itself
// is refused at its describe deadline (1s here), naming it, and the host
// loads the next plugin as usual.
func TestSlowDescribeDeadline(t *testing.T) {
	precompile()
	h := newTestHost(t, Config{}, nil)
	h.loader.describeLimit = time.Second
	dir := writeFiles(t, map[string][]byte{"slow.wasm": readGuest(t, "slowdescribe"), "github.wasm": readGuestPlugin(t)})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	refused := refusals(t, h.LoadDir(ctx, dir))
	want := "the plugin did not describe itself within 1s, the host's limit: its wasmcp_describe export, or its initialisation, is stuck or too slow"
	if msg := refused["slow.wasm"]; msg != want {
		t.Errorf("slow.wasm refused with %q, want %q", msg, want)
	}
	if len(refused) != 1 || h.Plugin(filepath.Join(dir, "github.wasm")) == nil {
		t.Errorf("refused %v, want slow.wasm only, and github loaded", refused)
	}
}
