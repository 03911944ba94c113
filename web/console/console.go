// Package console serves the staff web console, embedded in the binary.
//
// The console is a small single-page application in plain HTML, CSS and
// JavaScript modules (assets/), with no build step and no external URLs: it
// talks only to the API on the same origin, signed in with the API's HttpOnly
// session cookie. The page is served at / and /console/, the assets at
// /console/{file}.
package console

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"time"
)

//go:embed assets
var assetFS embed.FS

// asset is one embedded file, ready to serve.
type asset struct {
	data        []byte
	contentType string
	etag        string
}

// contentTypes is set explicitly rather than taken from package mime, whose
// table can be overridden by the host's mime.types (or the Windows registry).
var contentTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
	".svg": "image/svg+xml",
}

// pageFile is the HTML template of the page; it is not served as an asset.
const pageFile = "index.html"

// contentSecurityPolicy allows the page to load only its own scripts, styles
// and images and to talk only to its own origin. There are no inline scripts
// or styles, so none need to be allowed.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
	"connect-src 'self'; frame-ancestors 'none'"

var (
	assets = loadAssets()
	// version is a short hash of all embedded files. The page references the
	// entry assets as ?v=<version>, so they can be cached for long and a new
	// build with updated assets is still picked up at once.
	version = assetsVersion()
	page    = renderPage()
)

func loadAssets() map[string]asset {
	entries, err := fs.ReadDir(assetFS, "assets")
	if err != nil {
		panic("console: reading embedded assets: " + err.Error())
	}
	m := make(map[string]asset, len(entries))
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := assetFS.ReadFile("assets/" + e.Name())
		if err != nil {
			panic("console: reading embedded asset: " + err.Error())
		}
		ct, ok := contentTypes[path.Ext(e.Name())]
		if !ok {
			ct = "application/octet-stream"
		}
		sum := sha256.Sum256(data)
		m[e.Name()] = asset{
			data:        data,
			contentType: ct,
			etag:        `"` + hex.EncodeToString(sum[:8]) + `"`,
		}
	}
	for _, name := range []string{pageFile, "app.js", "api.js", "style.css"} {
		if _, ok := m[name]; !ok {
			panic("console: embedded asset missing: " + name)
		}
	}
	return m
}

func assetsVersion() string {
	names := make([]string, 0, len(assets))
	for name := range assets {
		names = append(names, name)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, name := range names {
		h.Write([]byte(name))
		h.Write(assets[name].data)
	}
	return hex.EncodeToString(h.Sum(nil)[:6])
}

func renderPage() []byte {
	tmpl := template.Must(template.New(pageFile).Parse(string(assets[pageFile].data)))
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, struct{ Version string }{version}); err != nil {
		panic("console: rendering page: " + err.Error())
	}
	return buf.Bytes()
}

func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
}

// Mount registers GET / (the page), GET /console/ (the page too) and
// GET /console/{path...} (embedded assets, with correct content types and
// cache headers) on mux. A request for /console is redirected to /console/.
func Mount(mux *http.ServeMux) {
	servePage := func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		securityHeaders(h)
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		http.ServeContent(w, r, pageFile, time.Time{}, bytes.NewReader(page))
	}
	mux.HandleFunc("GET /{$}", servePage)

	mux.HandleFunc("GET /console/{path...}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("path")
		if name == "" || name == pageFile {
			servePage(w, r)
			return
		}
		a, ok := assets[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		securityHeaders(h)
		h.Set("Content-Type", a.contentType)
		h.Set("ETag", a.etag)
		if r.URL.Query().Get("v") == version {
			// The URL names this exact content: cache it for a year.
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			// Unversioned URL (modules import each other without ?v=) or a
			// stale one: the browser revalidates by ETag on every use, so a
			// new build never runs with a mix of old and new modules.
			h.Set("Cache-Control", "no-cache")
		}
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(a.data))
	})
}
