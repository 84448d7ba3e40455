package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/wasmcp/wasmcp/host"
	"github.com/wasmcp/wasmcp/host/auth"
)

// The manifests of deploy/ and the Dockerfile, checked against the binary:
// every flag and value they pass is accepted by serve's own flag set, the
// ConfigMap's YAML by the config parser, the readiness path is answered by
// the HTTP server, and the ports, mounts, drain and selectors agree.

type k8sObject struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name   string            `yaml:"name"`
		Labels map[string]string `yaml:"labels"`
	} `yaml:"metadata"`
	Spec k8sSpec `yaml:"spec"`
}

type k8sSpec struct {
	// Deployment
	Replicas int `yaml:"replicas"`
	Selector struct {
		MatchLabels map[string]string `yaml:"matchLabels"`
	} `yaml:"selector"`
	Template struct {
		Metadata struct {
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"metadata"`
		Spec podSpec `yaml:"spec"`
	} `yaml:"template"`
	// Service (its selector is a plain map: see serviceSpec)
	Ports []struct {
		Name       string `yaml:"name"`
		Port       int    `yaml:"port"`
		TargetPort string `yaml:"targetPort"`
	} `yaml:"ports"`
	// PodDisruptionBudget
	MaxUnavailable int `yaml:"maxUnavailable"`
	// HorizontalPodAutoscaler
	ScaleTargetRef struct {
		Kind, Name string
	} `yaml:"scaleTargetRef"`
	MinReplicas int `yaml:"minReplicas"`
	MaxReplicas int `yaml:"maxReplicas"`
}

type podSpec struct {
	TerminationGracePeriodSeconds int `yaml:"terminationGracePeriodSeconds"`
	SecurityContext               struct {
		RunAsNonRoot bool `yaml:"runAsNonRoot"`
		RunAsUser    int  `yaml:"runAsUser"`
	} `yaml:"securityContext"`
	Containers []container `yaml:"containers"`
	Volumes    []struct {
		Name      string `yaml:"name"`
		ConfigMap *struct {
			Name string `yaml:"name"`
		} `yaml:"configMap"`
		EmptyDir *struct{} `yaml:"emptyDir"`
		Secret   *struct {
			Optional bool `yaml:"optional"`
		} `yaml:"secret"`
	} `yaml:"volumes"`
}

type container struct {
	Name    string   `yaml:"name"`
	Command []string `yaml:"command"`
	Args    []string `yaml:"args"`
	Ports   []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	Env []struct {
		Name string `yaml:"name"`
	} `yaml:"env"`
	ReadinessProbe probe `yaml:"readinessProbe"`
	LivenessProbe  probe `yaml:"livenessProbe"`
	StartupProbe   probe `yaml:"startupProbe"`
	Resources      struct {
		Requests map[string]string `yaml:"requests"`
		Limits   map[string]string `yaml:"limits"`
	} `yaml:"resources"`
	SecurityContext struct {
		ReadOnlyRootFilesystem   bool `yaml:"readOnlyRootFilesystem"`
		AllowPrivilegeEscalation bool `yaml:"allowPrivilegeEscalation"`
	} `yaml:"securityContext"`
	VolumeMounts []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
		ReadOnly  bool   `yaml:"readOnly"`
	} `yaml:"volumeMounts"`
}

type probe struct {
	HTTPGet *struct {
		Path string `yaml:"path"`
		Port string `yaml:"port"`
	} `yaml:"httpGet"`
	TCPSocket *struct {
		Port string `yaml:"port"`
	} `yaml:"tcpSocket"`
	PeriodSeconds    int `yaml:"periodSeconds"`
	FailureThreshold int `yaml:"failureThreshold"`
}

type kustomization struct {
	Resources          []string `yaml:"resources"`
	ConfigMapGenerator []struct {
		Name  string   `yaml:"name"`
		Files []string `yaml:"files"`
	} `yaml:"configMapGenerator"`
}

// Figures of BENCHMARKS.md that the manifests are sized from.
const (
	benchCores       = 2   // the benchmarks' machine: one replica
	benchPeakRSSMiB  = 106 // 111 MB (106 MiB), 1,000 users at 32 in flight, the github plugin in use
	benchInFlightCap = 32  // the level that peak was measured at
)

var deployDir = filepath.Join("..", "..", "deploy")

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s does not parse: %v", path, err)
	}
}

// loadDeploy reads the kustomization and its resources, by kind.
func loadDeploy(t *testing.T) (kustomization, map[string]k8sObject) {
	t.Helper()
	var k kustomization
	readYAML(t, filepath.Join(deployDir, "kustomization.yaml"), &k)
	objs := map[string]k8sObject{}
	for _, r := range k.Resources {
		var o k8sObject
		readYAML(t, filepath.Join(deployDir, r), &o)
		if o.Kind == "" || o.Metadata.Name == "" {
			t.Fatalf("%s has no kind or name", r)
		}
		if _, dup := objs[o.Kind]; dup {
			t.Fatalf("two resources of kind %s", o.Kind)
		}
		objs[o.Kind] = o
	}
	for _, kind := range []string{"Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler"} {
		if _, ok := objs[kind]; !ok {
			t.Fatalf("deploy/ has no %s", kind)
		}
	}
	return k, objs
}

// flagValues maps each --flag of args to its value ("--flag value" or
// "--flag=value"; every flag the manifests pass takes a value).
func flagValues(t *testing.T, args []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			continue
		}
		name, val, ok := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !ok {
			if i+1 >= len(args) {
				t.Fatalf("flag %s has no value", a)
			}
			i++
			val = args[i]
		}
		out[name] = val
	}
	return out
}

// acceptsServeArgs runs the real command line parser on args with --help
// appended: every flag before it is parsed with serve's flag set, so an
// unknown flag or a bad value fails, and nothing is served.
func acceptsServeArgs(t *testing.T, where string, args []string) {
	t.Helper()
	if len(args) == 0 || args[0] != "serve" {
		t.Fatalf("%s: the arguments %q do not start with the serve command", where, args)
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), append(slices.Clone(args), "--help"), nil, &stdout, &stderr)
	if code != 0 || !strings.HasPrefix(stdout.String(), "Usage: host serve") {
		t.Fatalf("%s: host %s refused (exit %d): %s", where, strings.Join(args, " "), code, stderr.String())
	}
}

func mebibytes(t *testing.T, q string) int {
	t.Helper()
	for suffix, mul := range map[string]float64{"Mi": 1, "Gi": 1024, "M": 1e6 / (1 << 20), "G": 1e9 / (1 << 20)} {
		if n, ok := strings.CutSuffix(q, suffix); ok {
			if f, err := strconv.ParseFloat(n, 64); err == nil {
				return int(f * mul)
			}
		}
	}
	t.Fatalf("quantity %q: want Mi, Gi, M or G", q)
	return 0
}

func TestDeployManifests(t *testing.T) {
	k, objs := loadDeploy(t)
	dep := objs["Deployment"]
	pod := dep.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("want one container, got %d", len(pod.Containers))
	}
	c := pod.Containers[0]
	if len(c.Command) != 0 {
		t.Errorf("the container sets command %q: the image's entrypoint is the binary", c.Command)
	}
	acceptsServeArgs(t, "deployment.yaml", c.Args)
	flags := flagValues(t, c.Args)

	// The port: --http's is the container's "http" port, the Service's
	// target and the probes'.
	_, port, err := net.SplitHostPort(flags["http"])
	if err != nil {
		t.Fatalf("--http %q: %v", flags["http"], err)
	}
	// And --metrics-addr's is the "metrics" port the scrape annotations name.
	_, mport, err := net.SplitHostPort(flags["metrics-addr"])
	if err != nil {
		t.Fatalf("--metrics-addr %q: %v", flags["metrics-addr"], err)
	}
	wantPorts := map[string]string{"http": port, "metrics": mport}
	if len(c.Ports) != len(wantPorts) {
		t.Errorf("container ports %+v, want http on --http's port %s and metrics on --metrics-addr's %s", c.Ports, port, mport)
	}
	for _, p := range c.Ports {
		if wantPorts[p.Name] != strconv.Itoa(p.ContainerPort) {
			t.Errorf("container port %+v, want http on --http's port %s and metrics on --metrics-addr's %s", p, port, mport)
		}
	}
	if a := dep.Spec.Template.Metadata.Annotations; a["prometheus.io/port"] != mport || a["prometheus.io/path"] != "/metrics" || a["prometheus.io/scrape"] != "true" {
		t.Errorf("pod annotations %v, want the scrape of /metrics on port %s", a, mport)
	}
	svc := objs["Service"]
	if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].TargetPort != "http" {
		t.Errorf("the Service targets %+v, want the port named http", svc.Spec.Ports)
	}
	if p := c.ReadinessProbe.HTTPGet; p == nil || p.Path != "/healthz" || p.Port != "http" {
		t.Errorf("readiness probe %+v, want GET /healthz on port http", p)
	}
	if c.ReadinessProbe.HTTPGet == nil {
		t.FailNow()
	}
	for name, p := range map[string]probe{"liveness": c.LivenessProbe, "startup": c.StartupProbe} {
		// /healthz is 503 while draining or with no plugin: not a liveness check.
		if p.TCPSocket == nil || p.TCPSocket.Port != "http" || p.HTTPGet != nil {
			t.Errorf("%s probe %+v, want a TCP check of port http", name, p)
		}
	}

	// The drain: the readiness probe sees the 503 within it, and the pod
	// gets drain, grace and the stopped calls' linger before its SIGKILL.
	drain, err := time.ParseDuration(flags["drain"])
	if err != nil {
		t.Fatalf("--drain: %v", err)
	}
	grace, err := time.ParseDuration(flags["shutdown-grace"])
	if err != nil {
		t.Fatalf("--shutdown-grace: %v", err)
	}
	rp := c.ReadinessProbe
	if seen := time.Duration(rp.PeriodSeconds*rp.FailureThreshold) * time.Second; seen <= 0 || seen*2 > drain {
		t.Errorf("the readiness probe needs %v to see the drain's 503; --drain %v should be at least twice that", seen, drain)
	}
	if need := drain + grace + stoppedCallsLinger; time.Duration(pod.TerminationGracePeriodSeconds)*time.Second < need {
		t.Errorf("terminationGracePeriodSeconds %d is below --drain + --shutdown-grace + %v = %v", pod.TerminationGracePeriodSeconds, stoppedCallsLinger, need)
	}

	// Mounts: the config is the ConfigMap's file, the cache the one
	// writable place on a read-only root.
	mounts := map[string]string{} // path → volume
	for _, m := range c.VolumeMounts {
		mounts[m.MountPath] = m.Name
	}
	volumes := map[string]int{}
	for i, v := range pod.Volumes {
		volumes[v.Name] = i
	}
	if len(k.ConfigMapGenerator) != 1 || len(k.ConfigMapGenerator[0].Files) != 1 {
		t.Fatalf("want one generated ConfigMap with one file: %+v", k.ConfigMapGenerator)
	}
	gen := k.ConfigMapGenerator[0]
	cfgVol, ok := mounts[filepath.Dir(flags["config"])]
	if !ok || filepath.Base(flags["config"]) != filepath.Base(gen.Files[0]) {
		t.Fatalf("--config %s is not the file %s of a mounted volume", flags["config"], gen.Files[0])
	}
	if v := pod.Volumes[volumes[cfgVol]]; v.ConfigMap == nil || v.ConfigMap.Name != gen.Name {
		t.Errorf("--config's volume %s is not the ConfigMap %s", cfgVol, gen.Name)
	}
	if v, ok := volumes[mounts[flags["cache-dir"]]]; !ok || pod.Volumes[v].EmptyDir == nil {
		t.Errorf("--cache-dir %s is not an emptyDir mount", flags["cache-dir"])
	}
	if !c.SecurityContext.ReadOnlyRootFilesystem || c.SecurityContext.AllowPrivilegeEscalation || !pod.SecurityContext.RunAsNonRoot || pod.SecurityContext.RunAsUser == 0 {
		t.Errorf("want a read-only root, no privilege escalation, a non-root user: %+v %+v", c.SecurityContext, pod.SecurityContext)
	}

	// The environment: variables the host (or Go's runtime, or the
	// registry client) reads.
	var help bytes.Buffer
	run(context.Background(), []string{"serve", "--help"}, nil, &help, &help)
	for _, e := range c.Env {
		switch e.Name {
		case "GOMEMLIMIT", "GOMAXPROCS", "GOGC": // Go's runtime
		case "DOCKER_CONFIG": // registry credentials, for plugins.<name>.source
		default:
			if !strings.Contains(help.String(), e.Name) {
				t.Errorf("env %s is not one the host reads (not in serve --help)", e.Name)
			}
		}
	}

	// Resources, from BENCHMARKS.md.
	cpu, _ := strconv.Atoi(c.Resources.Requests["cpu"])
	if cpu != benchCores {
		t.Errorf("cpu request %q, want %d, the benchmarks' cores (the README's calls/s per replica are theirs)", c.Resources.Requests["cpu"], benchCores)
	}
	req, limit := mebibytes(t, c.Resources.Requests["memory"]), mebibytes(t, c.Resources.Limits["memory"])
	if req < benchPeakRSSMiB || limit < req {
		t.Errorf("memory request %dMi, limit %dMi: want the request above the measured peak of %dMi, the limit above the request", req, limit, benchPeakRSSMiB)
	}

	// The others select the Deployment's pods.
	podLabels := dep.Spec.Template.Metadata.Labels
	for _, sel := range []map[string]string{dep.Spec.Selector.MatchLabels, objs["PodDisruptionBudget"].Spec.Selector.MatchLabels} {
		if len(sel) == 0 {
			t.Error("an empty selector")
		}
		for k, v := range sel {
			if podLabels[k] != v {
				t.Errorf("selector %v does not match the pod labels %v", sel, podLabels)
			}
		}
	}
	var svcSel struct {
		Spec struct {
			Selector map[string]string `yaml:"selector"`
		} `yaml:"spec"`
	}
	readYAML(t, filepath.Join(deployDir, "service.yaml"), &svcSel)
	for k, v := range svcSel.Spec.Selector {
		if podLabels[k] != v {
			t.Errorf("the Service selects %v, not the pods %v", svcSel.Spec.Selector, podLabels)
		}
	}
	if len(svcSel.Spec.Selector) == 0 {
		t.Error("the Service selects nothing")
	}
	hpa := objs["HorizontalPodAutoscaler"].Spec
	if hpa.ScaleTargetRef.Kind != "Deployment" || hpa.ScaleTargetRef.Name != dep.Metadata.Name || hpa.MinReplicas < 2 || hpa.MaxReplicas < hpa.MinReplicas {
		t.Errorf("the HPA %+v does not scale the Deployment from at least 2 replicas", hpa)
	}
	if pdb := objs["PodDisruptionBudget"].Spec; pdb.MaxUnavailable < 1 || pdb.MaxUnavailable >= hpa.MinReplicas {
		t.Errorf("the PDB's maxUnavailable %d must leave a replica of the HPA's %d", pdb.MaxUnavailable, hpa.MinReplicas)
	}

	// The ConfigMap's YAML, through the host's own parser (strict: an
	// unknown key fails), sized like the resources.
	cfg, err := host.LoadConfig(filepath.Join(deployDir, gen.Files[0]))
	if err != nil {
		t.Fatalf("deploy/%s: %v", gen.Files[0], err)
	}
	if cfg.Calls.MaxInFlight <= 0 || cfg.Calls.MaxInFlight > benchInFlightCap {
		t.Errorf("calls.max_in_flight %d: the memory request covers %d in flight", cfg.Calls.MaxInFlight, benchInFlightCap)
	}
	if cfg.Pool.MaxBytes <= 0 || cfg.Pool.MaxBytes > int64(limit)<<20 {
		t.Errorf("pool.max_bytes %d is not a budget under the %dMi limit", cfg.Pool.MaxBytes, limit)
	}

	// The readiness path, on the real HTTP server with this config.
	checkProbePath(t, cfg, c.ReadinessProbe.HTTPGet.Path)
}

// checkProbePath serves HTTP as serve does, with no plugin loaded, and
// checks that path answers as /healthz does (503, "no plugins loaded")
// where an unknown path answers 404.
func checkProbePath(t *testing.T, cfg host.Config, path string) {
	t.Helper()
	cfg.CacheDir = "off"
	h, err := host.New(host.Options{Config: cfg, Exchanger: auth.NewMock()})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close(context.Background())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := serveHTTPOn(ctx, ln, h, httpOptions{addr: ln.Addr().String(), grace: time.Second}, slog.New(slog.DiscardHandler))
		done <- err
	}()
	defer func() {
		cancel()
		<-done
	}()
	get := func(p string) (int, map[string]any) {
		resp, err := http.Get("http://" + ln.Addr().String() + p)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body
	}
	if code, _ := get("/no-such-path"); code != http.StatusNotFound {
		t.Fatalf("an unknown path answers %d, want 404: the check below would prove nothing", code)
	}
	code, body := get(path)
	if code != http.StatusServiceUnavailable || body["status"] != "no plugins loaded" {
		t.Fatalf("GET %s with no plugin: %d %v, want the health check's 503", path, code, body)
	}
}

// The image: it builds the binary and the plugins from source, runs as a
// non-root user, and its default command and paths agree with the manifests.
func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	_, objs := loadDeploy(t)
	c := objs["Deployment"].Spec.Template.Spec.Containers[0]
	flags := flagValues(t, c.Args)

	if n := len(regexp.MustCompile(`(?m)^FROM `).FindAllString(df, -1)); n < 2 {
		t.Errorf("%d stages: want a build stage and a runtime stage", n)
	}
	if !strings.Contains(df, "CGO_ENABLED=0") || !strings.Contains(df, "make build") {
		t.Error("the image does not build a static binary and the plugins from source (CGO_ENABLED=0 make build)")
	}
	user := regexp.MustCompile(`(?m)^USER (\S+)`).FindStringSubmatch(df)
	if user == nil || user[1] == "root" || strings.HasPrefix(user[1], "0") {
		t.Errorf("USER %v: want a non-root user", user)
	} else if uid := strings.Split(user[1], ":")[0]; uid != strconv.Itoa(objs["Deployment"].Spec.Template.Spec.SecurityContext.RunAsUser) {
		t.Errorf("the image's user %s is not the pod's runAsUser", uid)
	}
	if !regexp.MustCompile(`(?m)^COPY --from=build \S+ ` + regexp.QuoteMeta(flags["plugins"]) + `$`).MatchString(df) {
		t.Errorf("the image does not put the plugins at --plugins %s", flags["plugins"])
	}
	_, port, _ := net.SplitHostPort(flags["http"])
	if !strings.Contains(df, "EXPOSE "+port) {
		t.Errorf("the image does not expose --http's port %s", port)
	}
	if !strings.Contains(df, `ENTRYPOINT ["/usr/local/bin/host"]`) {
		t.Error("the entrypoint is not the binary")
	}
	m := regexp.MustCompile(`(?m)^CMD (\[.*\])$`).FindStringSubmatch(df)
	if m == nil {
		t.Fatal("no CMD in exec form")
	}
	var cmd []string
	if err := json.Unmarshal([]byte(m[1]), &cmd); err != nil {
		t.Fatalf("CMD: %v", err)
	}
	acceptsServeArgs(t, "Dockerfile CMD", cmd)
	if got := flagValues(t, cmd); got["plugins"] != flags["plugins"] || got["cache-dir"] != flags["cache-dir"] {
		t.Errorf("the image's default --plugins/--cache-dir %v differ from the Deployment's %v", got, flags)
	}
}
