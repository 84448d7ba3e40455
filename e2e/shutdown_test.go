package e2e

// Shutdown: on stdin EOF, SIGTERM or SIGINT the host takes no new calls,
// lets calls in flight finish for up to --shutdown-grace, stops the rest
// with a tool error that says so, and exits 0.

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// slowGitHub is a GitHub API that answers /user only once release is
// called (at the latest when the test ends), so that a call is in flight for
// certain until the test lets it finish. It says on started when a request
// arrives, on abandoned when the host gives one up.
func slowGitHub(t *testing.T) (_ *fake, started, abandoned <-chan struct{}, release func()) {
	startedCh, abandonedCh, released := make(chan struct{}, 16), make(chan struct{}, 16), make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(released) }) }
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		startedCh <- struct{}{}
		select {
		case <-released:
		case <-r.Context().Done():
			abandonedCh <- struct{}{}
			return
		}
		writeJSON(w, 200, map[string]any{"login": "slowcat", "id": 2})
	})
	t.Cleanup(release) // before the fake's Close, which waits for its handlers
	return f, startedCh, abandonedCh, release
}

// shuttingDown waits for the host to log that it is finishing the calls in
// flight, for reason.
func shuttingDown(t *testing.T, stderr *syncBuffer, reason string) {
	t.Helper()
	stderr.waitFor(t, "log line of the shutdown", func(logs string) bool {
		return logLine(logs, "shutting down: finishing the calls in flight", reason)
	})
}

func waitStarted(t *testing.T, started <-chan struct{}) {
	t.Helper()
	select {
	case <-started:
	case <-time.After(waitLimit):
		t.Fatal("the call never reached the API")
	}
}

// callResult is the answer to a tools/call, or the client's error.
type callResult struct {
	res *mcp.CallToolResult
	err error
}

// slowCall calls get_github_user as u1 on s in the background; the answer
// arrives on the channel.
func slowCall(s *mcp.ClientSession) <-chan callResult {
	done := make(chan callResult, 1)
	go func() {
		res, err := s.CallTool(context.Background(), &mcp.CallToolParams{Name: "get_github_user", Meta: meta("u1", "temp-token-u1-0001", "github")})
		done <- callResult{res, err}
	}()
	return done
}

// Closing stdin with a call in flight: the call's response is still written
// and the host exits 0.
func TestShutdownOnStdinEOFFinishesCallInFlight(t *testing.T) {
	gh, started, _, release := slowGitHub(t)
	cmd := hostCommand(t, hostOpts{mock: true, upstreams: map[string]string{"https://api.github.com": gh.URL}}, "serve")
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		if t.Failed() {
			t.Logf("host stderr:\n%s", stderr.String())
		}
	})
	for _, m := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get_github_user","arguments":{},"_meta":{"userId":"u1","userToken":"tmp-u1-temp-token","providerId":"github"}}}`,
	} {
		if _, err := io.WriteString(stdin, m+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	waitStarted(t, started)
	stdin.Close()
	shuttingDown(t, stderr, `reason="stdin closed"`)
	release()

	var answer map[string]any
	sc := bufio.NewScanner(stdout)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil && m["id"] == 2.0 {
			answer = m
		}
	}
	if answer == nil {
		t.Fatal("the call in flight got no response before stdout closed")
	}
	raw, _ := json.Marshal(answer)
	if res, _ := answer["result"].(map[string]any); res == nil || res["isError"] == true || !strings.Contains(string(raw), "slowcat") {
		t.Fatalf("the call in flight did not complete: %s", raw)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("host exit: %v", err)
	}
	if !strings.Contains(stderr.String(), `reason="stdin closed"`) {
		t.Errorf("no shutdown reason in the logs")
	}
}

// SIGTERM or SIGINT with a call in flight, over stdio: the call gets its
// result and the host exits 0, on the signal's account.
func TestShutdownOnSignalFinishesCallInFlight(t *testing.T) {
	for _, sig := range []os.Signal{syscall.SIGTERM, os.Interrupt} {
		t.Run(sig.String(), func(t *testing.T) {
			gh, started, _, release := slowGitHub(t)
			r := startHost(t, hostOpts{mock: true, upstreams: map[string]string{"https://api.github.com": gh.URL}})
			done := slowCall(r.session)
			waitStarted(t, started)
			if err := r.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			shuttingDown(t, r.stderr, "reason=signal")
			release()
			var got callResult
			select {
			case got = <-done:
			case <-time.After(60 * time.Second):
				t.Fatalf("the call in flight got no answer after %v", sig)
			}
			if got.err != nil || got.res.IsError || structured(t, got.res)["login"] != "slowcat" {
				t.Fatalf("the call in flight: err=%v result=%v", got.err, got.res)
			}
			r.session.Wait()
			r.session.Close()
			if r.cmd.ProcessState == nil {
				t.Fatal("the host has not exited")
			}
			if code := r.cmd.ProcessState.ExitCode(); code != 0 {
				t.Fatalf("host exited with %d after %v, want 0", code, sig)
			}
			// The shutdown is the signal's, not the closing of stdin that follows.
			if !logLine(r.stderr.String(), "shutting down", "reason=signal") || !logLine(r.stderr.String(), "msg=stopped", "reason=signal") {
				t.Errorf("the logs do not say the host stopped on the signal:\n%s", r.stderr.String())
			}
		})
	}
}

// SIGTERM over HTTP: the call in flight gets its result and the host exits
// 0, without waiting out the grace for the client's notification stream.
func TestShutdownHTTPFinishesCallInFlight(t *testing.T) {
	for _, protocol := range []string{"", "2025-11-25"} {
		t.Run("protocol="+protocol, func(t *testing.T) {
			gh, started, _, release := slowGitHub(t)
			h := startHTTPHost(t, hostOpts{mock: true, upstreams: map[string]string{"https://api.github.com": gh.URL}})
			s, err := connectHTTP(t, h.url, "", protocol)
			if err != nil {
				t.Fatal(err)
			}
			done := slowCall(s)
			waitStarted(t, started)
			h.cmd.Process.Signal(syscall.SIGTERM)
			shuttingDown(t, h.stderr, "reason=signal")
			release()
			got := <-done
			if got.err != nil || got.res.IsError || structured(t, got.res)["login"] != "slowcat" {
				t.Fatalf("the call in flight: err=%v result=%v", got.err, got.res)
			}
			if code := h.wait(t); code != 0 {
				t.Fatalf("host exited with %d, want 0:\n%s", code, h.stderr.String())
			}
			// Had the notification stream held up the shutdown, the grace
			// would have run out, and the host said so.
			if logs := h.stderr.String(); strings.Contains(logs, "shutdown grace period over") {
				t.Errorf("the host waited out its grace for the client's stream:\n%s", logs)
			}
		})
	}
}

// A call that outlives --shutdown-grace is stopped, answers with a tool
// error that says so, and the host still exits 0, without waiting for the
// API: it gives up the call's request.
func TestShutdownGraceCancelsSlowCall(t *testing.T) {
	gh, started, abandoned, _ := slowGitHub(t)
	r := startHost(t, hostOpts{mock: true, upstreams: map[string]string{"https://api.github.com": gh.URL}, args: []string{"--shutdown-grace", "500ms"}})
	done := slowCall(r.session)
	waitStarted(t, started)
	r.cmd.Process.Signal(syscall.SIGTERM)
	wantStoppedCall(t, <-done)
	r.session.Wait()
	r.session.Close()
	if code := r.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("host exited with %d, want 0", code)
	}
	select {
	case <-abandoned:
	case <-time.After(waitLimit):
		t.Error("the host exited without giving up the stopped call's API request")
	}
	if !strings.Contains(r.stderr.String(), "shutdown grace period over") {
		t.Errorf("no log of the grace running out:\n%s", r.stderr.String())
	}
}

// wantStoppedCall fails the test unless got is a tool error saying that the
// call was stopped by the shutdown.
func wantStoppedCall(t *testing.T, got callResult) {
	t.Helper()
	if got.err != nil {
		t.Fatalf("the stopped call got no answer (the connection closed first?): %v", got.err)
	}
	if !got.res.IsError || !strings.Contains(text(got.res), "the host shut down before the call finished") {
		t.Errorf("the stopped call answered %v (%q), want a tool error saying it was stopped", got.res.IsError, text(got.res))
	}
}

// Over HTTP too, a call past the grace answers with a tool error before the
// connections close, and the host exits 0.
func TestShutdownGraceHTTP(t *testing.T) {
	gh, started, _, _ := slowGitHub(t)
	h := startHTTPHost(t, hostOpts{mock: true, upstreams: map[string]string{"https://api.github.com": gh.URL}, args: []string{"--shutdown-grace", "500ms"}})
	s, err := connectHTTP(t, h.url, "", "")
	if err != nil {
		t.Fatal(err)
	}
	done := slowCall(s)
	waitStarted(t, started)
	h.cmd.Process.Signal(syscall.SIGTERM)
	wantStoppedCall(t, <-done)
	if code := h.wait(t); code != 0 {
		t.Fatalf("host exited with %d, want 0:\n%s", code, h.stderr.String())
	}
}
