// Package console serves the staff web app, embedded in the binary.
//
// The app is a Vue 3 + Element Plus single-page application (web/app), built by `make web`
// into dist/ (git-ignored but for a placeholder, so the package compiles before any build).
// It lives under /console/ with history-mode routes: /console/orders/{id} and every other
// path without a file extension answer the app's page, which routes in the browser; files
// answer as themselves, and a missing file is a 404, never the page. GET / redirects to
// /console/. Without a build, /console/ answers a page saying to run `make web`.
//
// The engineers' phone app is a second page of the same build (field.html, Vue 3 + Vant),
// served under /field/ the same way: its web manifest, icon and service worker (the build's
// field/ folder) answer as themselves, every other path without an extension answers the
// page; its script and style files are the build's, under /console/assets/.
//
// The consumers' portal is a third page (my.html, Vue 3 + Vant), served under /my/ the same
// way: /my/{tenant}/... answers the page, the build's my/ folder (web manifest, icon) answers
// as itself.
//
// The app talks only to the API on the same origin, signed in with the API's HttpOnly
// session cookie; its page and files carry a strict Content-Security-Policy.
package console

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

//go:embed all:dist
var distFS embed.FS

// Base is where the app is served; the build's base (web/app/vite.config.ts) must match.
const Base = "/console/"

// FieldBase is where the engineers' phone app is served.
const FieldBase = "/field/"

// ContentSecurityPolicy lets the page load only its own scripts, styles, images and fonts,
// and talk only to its own origin. No inline script or style element is allowed: Element
// Plus and ECharts set element styles through the CSSOM (element.style), which style-src
// does not govern, so 'unsafe-inline' is not needed; the browser journeys
// (journey_test.go) fail on any CSP violation to keep it that way.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; " +
	"frame-ancestors 'none'"

// notBuilt is served when the build is missing (a fresh clone before `make web`).
const notBuilt = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Web app not built</title></head>
<body><h1>web app not built: run make web</h1>
<p>The staff web app (web/app) has not been built into this binary. Run <code>make web</code>
(or <code>make run</code>, which builds it first), then rebuild and restart the server.</p>
</body></html>
`

// asset is one embedded file, ready to serve.
type asset struct {
	data        []byte
	contentType string
	etag        string
	immutable   bool // a hashed file name: its content never changes

	gzipOnce sync.Once
	gzipped  []byte // nil when not worth compressing
}

// app is the embedded build.
type app struct {
	index *asset            // index.html; nil when the build is missing
	files map[string]*asset // other files by path below dist/
}

// contentTypes is set explicitly rather than taken from package mime, whose table can be
// overridden by the host's mime.types (or the Windows registry).
var contentTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".ico":         "image/x-icon",
	".json":        "application/json",
	".webmanifest": "application/manifest+json",
	".txt":         "text/plain; charset=utf-8",
	".woff2":       "font/woff2",
}

// compressible lists the types worth gzipping.
var compressible = map[string]bool{".html": true, ".js": true, ".css": true, ".svg": true, ".json": true, ".txt": true,
	".webmanifest": true}

func newAsset(name string, data []byte) *asset {
	ct, ok := contentTypes[path.Ext(name)]
	if !ok {
		ct = "application/octet-stream"
	}
	sum := sha256.Sum256(data)
	return &asset{data: data, contentType: ct, etag: `"` + hex.EncodeToString(sum[:12]) + `"`,
		immutable: strings.HasPrefix(name, "assets/")}
}

// load reads the build from fsys (its root is the build's root).
func load(fsys fs.FS) (*app, error) {
	a := &app{files: map[string]*asset{}}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(path.Base(name), ".") {
			return nil
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		if name == "index.html" {
			a.index = newAsset(name, data)
		} else {
			a.files[name] = newAsset(name, data)
		}
		return nil
	})
	return a, err
}

func (as *asset) gzipData() []byte {
	as.gzipOnce.Do(func() {
		if len(as.data) < 1024 {
			return
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(as.data)
		_ = zw.Close()
		if buf.Len() < len(as.data)*9/10 {
			as.gzipped = buf.Bytes()
		}
	})
	return as.gzipped
}

func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
}

func (as *asset) serve(w http.ResponseWriter, r *http.Request, name string) {
	h := w.Header()
	securityHeaders(h)
	h.Set("Content-Type", as.contentType)
	h.Set("ETag", as.etag)
	if as.immutable {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache") // revalidated by ETag on every use
	}
	body := as.data
	if compressible[path.Ext(name)] {
		h.Add("Vary", "Accept-Encoding")
		if gz := as.gzipData(); gz != nil && acceptsGzip(r) {
			h.Set("Content-Encoding", "gzip")
			body = gz
		}
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.TrimSpace(q) != "q=0" {
			return true
		}
	}
	return false
}

func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if a.index == nil {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Security-Policy", "default-src 'none'")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(notBuilt))
		return
	}
	name := r.PathValue("path")
	if f, ok := a.files[name]; ok {
		f.serve(w, r, name)
		return
	}
	if path.Ext(name) != "" || strings.HasPrefix(name, "assets/") {
		http.NotFound(w, r) // a missing file, never the page in its place
		return
	}
	a.index.serve(w, r, "index.html") // an app route: the browser routes it
}

// field serves the engineers' app below FieldBase: its own files (the build's field/
// folder), else its page for every app route.
type field struct{ app *app }

func (f field) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	page := f.app.files["field.html"]
	if f.app.index == nil || page == nil {
		f.app.ServeHTTP(w, r) // not built: the same page saying so
		return
	}
	name := r.PathValue("path")
	if a, ok := f.app.files["field/"+name]; ok {
		if name == "sw.js" {
			w.Header().Set("Service-Worker-Allowed", FieldBase)
		}
		a.serve(w, r, name)
		return
	}
	if path.Ext(name) != "" {
		http.NotFound(w, r)
		return
	}
	page.serve(w, r, "field.html")
}

// MyBase is where the consumers' portal is served (/my/{tenant}/...).
const MyBase = "/my/"

// portal serves the consumers' portal below MyBase: its own files (the build's my/ folder),
// else its page for every app route.
type portal struct{ app *app }

func (p portal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	page := p.app.files["my.html"]
	if p.app.index == nil || page == nil {
		p.app.ServeHTTP(w, r)
		return
	}
	name := r.PathValue("path")
	if a, ok := p.app.files["my/"+name]; ok {
		a.serve(w, r, name)
		return
	}
	if path.Ext(name) != "" {
		http.NotFound(w, r)
		return
	}
	page.serve(w, r, "my.html")
}

// Handler serves the embedded build below Base (the pattern must bind {path...}).
func handler() *app {
	sub, err := fs.Sub(distFS, "dist")
	if err != nil {
		panic("console: " + err.Error())
	}
	a, err := load(sub)
	if err != nil {
		panic("console: loading the embedded build: " + err.Error())
	}
	return a
}

// Mount registers GET /console/{path...} (the app: its files, and its page for every app
// route) and GET / (a redirect to the app) on mux.
//
// It also registers GET /field/{path...}, the engineers' phone app, and GET /field (a
// redirect to /field/), and GET /my/{path...}, the consumers' portal.
func Mount(mux *http.ServeMux) {
	a := handler()
	mux.Handle("GET "+Base+"{path...}", a)
	mux.Handle("GET "+FieldBase+"{path...}", field{app: a})
	mux.HandleFunc("GET /field", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, FieldBase, http.StatusFound)
	})
	mux.Handle("GET "+MyBase+"{path...}", portal{app: a})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Base, http.StatusFound)
	})
}
