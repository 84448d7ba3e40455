package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/wasmcp/wasmcp/host"
	"github.com/wasmcp/wasmcp/internal/ociplugin"
	"github.com/wasmcp/wasmcp/internal/safetext"
)

const pullUsage = `Usage: host pull [FLAGS]

Pulls every plugin the config gives a source into the registry folder
(registry.dir; default "oci" beside the compilation cache), verifies its
cosign signature where the config sets a key, and records the digest each
tag resolved to. "host serve" pulls too, at start, but uses a tag's
recorded digest, and what the folder holds, without asking the registry:
a tag moves for a server only on "host pull". Exits 1 if any plugin failed.

  plugins:
    github:
      source: oci://registry.example.com/acme/github-plugin:1.0.0   # or @sha256:<digest>
      verify:
        key: /etc/wasmcp/cosign.pub                    # optional

A plugin artefact is an OCI manifest with one layer holding the .wasm file
as it is, media type ` + ociplugin.LayerMediaType + `
(the layer's digest is then the file's sha256). Push one with oras, then
sign its digest with a cosign key (cosign 2; cosign 3 also needs
--new-bundle-format=false, as the host reads the sha256-<hex>.sig tag):

  oras push registry.example.com/acme/github-plugin:1.0.0 \
    --artifact-type ` + ociplugin.ArtifactType + ` \
    github.wasm:` + ociplugin.LayerMediaType + `
  cosign sign --key cosign.key --tlog-upload=false registry.example.com/acme/github-plugin@sha256:<digest>

Registries are reached over https (http on loopback only), with the
credentials of the Docker config ($DOCKER_CONFIG/config.json or
~/.docker/config.json, and its credential helpers), and through
HTTPS_PROXY if set.
`

// pullTimeout bounds one plugin's pull.
const pullTimeout = 2 * time.Minute

func pull(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	s := newSettings("pull", pullUsage, stderr)
	offline := s.fs.Bool("offline", false, "use only what the registry folder holds: check it, contact no registry")
	if err := s.parse(args); err != nil {
		return err
	}
	logger, err := s.logger(io.Discard) // the table below says it all
	if err != nil {
		return err
	}
	cfg, err := s.config()
	if err != nil {
		return err
	}
	if len(cfg.PluginSources()) == 0 {
		fmt.Fprintln(stderr, "no plugin has a source in the config (plugins.<name>.source): nothing to pull")
		return nil
	}
	results, errs, err := pullSources(ctx, &cfg, logger, ociplugin.Options{Refresh: !*offline, Offline: *offline})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	if len(results) > 0 {
		fmt.Fprintln(tw, "PLUGIN\tDIGEST\tSHA256\tSIGNATURE\tFILE")
	}
	for _, r := range results {
		sig := "not asked for"
		if r.Verified {
			sig = "verified"
		}
		fmt.Fprintln(tw, strings.Join([]string{r.Name, r.Digest, r.SHA256, sig, safetext.Escape(r.File)}, "\t"))
	}
	tw.Flush()
	for _, r := range results {
		if src := cfg.Plugins[r.Name].Source; !strings.Contains(src, "@") {
			if parsed, err := ociplugin.ParseSource(src); err == nil {
				fmt.Fprintf(stdout, "\n%s: pin the tag for every start and replica with\n  source: %s\n", r.Name, safetext.Escape(parsed.At(r.Digest)))
			}
		}
	}
	for _, e := range errs {
		fmt.Fprintf(stdout, "\nFAILED %s\n", safetext.Escape(e.Error()))
	}
	if len(errs) > 0 {
		return fmt.Errorf("%d plugin(s) failed to pull", len(errs))
	}
	return nil
}

// pullSources pulls every plugin of cfg that has a source and binds it to
// the pulled file: its entry's PulledFile, and its sha256 pin set to the
// file's digest, so the loader checks the bytes it reads once more. A
// plugin that fails to pull is logged and returned in errs; the others go
// on. err is a configuration mistake (no folder, an unreadable key), which
// stops the command.
func pullSources(ctx context.Context, cfg *host.Config, logger *slog.Logger, o ociplugin.Options) (results []ociplugin.Result, errs []error, err error) {
	names := cfg.PluginSources()
	if len(names) == 0 {
		return nil, nil, nil
	}
	if o.Dir, err = cfg.RegistryDir(); err != nil {
		return nil, nil, usageError{err}
	}
	o.UserAgent = "wasmcp/" + version
	p, err := ociplugin.New(o)
	if err != nil {
		return nil, nil, usageError{err}
	}
	for _, name := range names {
		pc := cfg.Plugins[name]
		src, err := ociplugin.ParseSource(pc.Source) // validated with the config
		if err != nil {
			return nil, nil, usageError{fmt.Errorf("plugins.%s.source: %w", name, err)}
		}
		var key *ociplugin.Key
		if pc.Verify.Key != "" {
			if key, err = ociplugin.LoadKey(pc.Verify.Key); err != nil {
				return nil, nil, usageError{fmt.Errorf("plugins.%s.verify.key: %w", name, err)}
			}
		}
		pctx, cancel := context.WithTimeout(ctx, pullTimeout)
		r, err := p.Pull(pctx, ociplugin.Plugin{Name: name, Source: src, Key: key})
		cancel()
		if err == nil && pc.SHA256 != "" && !strings.EqualFold(pc.SHA256, r.SHA256) {
			err = fmt.Errorf("plugin %q from %s: sha256 mismatch: the config pins %s, the pulled file has %s", name, src, strings.ToLower(pc.SHA256), r.SHA256)
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, fmt.Errorf("stopped: %w", context.Cause(ctx))
			}
			logger.Error("plugin not pulled", "plugin", name, "err", err)
			errs = append(errs, err)
			continue
		}
		pc.SHA256, pc.PulledFile = r.SHA256, r.File
		cfg.Plugins[name] = pc
		logger.Info("plugin pulled", "plugin", name, "source", src.String(), "digest", r.Digest,
			"sha256", r.SHA256[:12], "verified", r.Verified, "fetched", r.Fetched)
		results = append(results, r)
	}
	return results, errs, nil
}

// loadPulled loads the pulled plugins into h, after the plugin folder.
func loadPulled(ctx context.Context, h *host.Host, results []ociplugin.Result) []error {
	var errs []error
	for _, r := range results {
		if err := h.Load(ctx, r.File); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}
