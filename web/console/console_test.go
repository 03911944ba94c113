package console

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

// fakeBuild is a build as Vite lays it out: the page, hashed files under assets/, and the
// files of public/ at the root.
var fakeBuild = fstest.MapFS{
	".placeholder":           {Data: []byte("placeholder")},
	"index.html":             {Data: []byte(`<!doctype html><script type="module" src="/console/assets/index-Ab12.js"></script>`)},
	"assets/index-Ab12.js":   {Data: []byte(strings.Repeat("console.log('the app');\n", 200))},
	"assets/index-Cd34.css":  {Data: []byte("body{margin:0}")},
	"favicon.svg":            {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)},
	"assets/sub/deep-Ef5.js": {Data: []byte("1")},
	// The engineers' app: its page, its manifest and service worker (public/field/).
	"field.html":                 {Data: []byte(`<!doctype html><script type="module" src="/console/assets/field-Gh56.js"></script>`)},
	"field/sw.js":                {Data: []byte("self.addEventListener('fetch', () => {})")},
	"field/manifest.webmanifest": {Data: []byte(`{"name":"field","start_url":"/field/","scope":"/field/"}`)},
}

func serve(t *testing.T, fsys fs.FS) *httptest.Server {
	t.Helper()
	a, err := load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET "+Base+"{path...}", a)
	mux.Handle("GET "+FieldBase+"{path...}", field{app: a})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, Base, http.StatusFound) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	client := &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		// Compression is tested explicitly: the transport must not undo it.
		Transport: &http.Transport{DisableCompression: true},
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading %s: %v", req.URL, err)
	}
	return resp, body
}

func get(t *testing.T, rawURL string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return do(t, req)
}

func mediaType(t *testing.T, resp *http.Response) string {
	t.Helper()
	mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("bad Content-Type %q: %v", resp.Header.Get("Content-Type"), err)
	}
	return mt
}

func TestAppRoutesServeThePageWithSecurityHeaders(t *testing.T) {
	srv := serve(t, fakeBuild)
	for _, p := range []string{"/console/", "/console/orders", "/console/orders/0199f1c2-7d3e-7a10-8000-000000000001", "/console/accept"} {
		resp, body := get(t, srv.URL+p)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status = %d, want 200", p, resp.StatusCode)
		}
		if mt := mediaType(t, resp); mt != "text/html" {
			t.Errorf("GET %s: content type = %q, want text/html", p, mt)
		}
		if !bytes.Contains(body, []byte("/console/assets/index-Ab12.js")) {
			t.Errorf("GET %s: not the app's page: %s", p, body)
		}
		want := map[string]string{
			"Content-Security-Policy": ContentSecurityPolicy,
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "same-origin",
			"Cache-Control":           "no-cache",
		}
		for k, v := range want {
			if got := resp.Header.Get(k); got != v {
				t.Errorf("GET %s: %s = %q, want %q", p, k, got, v)
			}
		}
	}
	if !strings.Contains(ContentSecurityPolicy, "style-src 'self';") || strings.Contains(ContentSecurityPolicy, "unsafe") {
		t.Errorf("CSP %q allows inline or eval'd code", ContentSecurityPolicy)
	}
}

func TestRootRedirectsToTheApp(t *testing.T) {
	srv := serve(t, fakeBuild)
	resp, _ := get(t, srv.URL+"/")
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/console/" {
		t.Errorf("GET /: status = %d, Location = %q, want a redirect to /console/", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = get(t, srv.URL+"/console")
	if resp.StatusCode/100 != 3 || resp.Header.Get("Location") != "/console/" {
		t.Errorf("GET /console: status = %d, Location = %q, want a redirect to /console/", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := get(t, srv.URL+"/v1/nothing"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /v1/nothing: status = %d, want 404 (the app must not shadow other routes)", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/console/orders", nil)
	if resp, _ := do(t, req); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /console/orders: status = %d, want 405", resp.StatusCode)
	}
}

func TestFilesServedWithTypesAndCaching(t *testing.T) {
	srv := serve(t, fakeBuild)
	for file, want := range map[string]struct{ mediaType, cache string }{
		"assets/index-Ab12.js":  {"text/javascript", "public, max-age=31536000, immutable"},
		"assets/index-Cd34.css": {"text/css", "public, max-age=31536000, immutable"},
		"favicon.svg":           {"image/svg+xml", "no-cache"},
	} {
		resp, body := get(t, srv.URL+Base+file)
		if resp.StatusCode != http.StatusOK || len(body) == 0 {
			t.Fatalf("GET %s: status = %d, %d bytes", file, resp.StatusCode, len(body))
		}
		if mt := mediaType(t, resp); mt != want.mediaType {
			t.Errorf("%s: content type = %q, want %q", file, mt, want.mediaType)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != want.cache {
			t.Errorf("%s: Cache-Control = %q, want %q", file, cc, want.cache)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: missing X-Content-Type-Options: nosniff", file)
		}
		etag := resp.Header.Get("ETag")
		if etag == "" {
			t.Fatalf("%s: no ETag", file)
		}
		if resp, _ := get(t, srv.URL+Base+file, "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
			t.Errorf("%s: revalidation status = %d, want 304", file, resp.StatusCode)
		}
	}
}

func TestScriptsAreCompressedForClientsThatAsk(t *testing.T) {
	srv := serve(t, fakeBuild)
	want := fakeBuild["assets/index-Ab12.js"].Data
	resp, body := get(t, srv.URL+"/console/assets/index-Ab12.js", "Accept-Encoding", "br, gzip")
	if resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("Content-Encoding = %q, Vary = %q, want gzip and Vary: Accept-Encoding", resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(plain, want) {
		t.Fatalf("gunzipped body differs from the file (err %v)", err)
	}
	if len(body) >= len(want) {
		t.Errorf("compressed %d bytes into %d", len(want), len(body))
	}
	resp, body = get(t, srv.URL+"/console/assets/index-Ab12.js")
	if resp.Header.Get("Content-Encoding") != "" || !bytes.Equal(body, want) {
		t.Errorf("without Accept-Encoding: Content-Encoding = %q, body differs = %v", resp.Header.Get("Content-Encoding"), !bytes.Equal(body, want))
	}
}

func TestMissingFilesAre404NotThePage(t *testing.T) {
	srv := serve(t, fakeBuild)
	for _, p := range []string{"/console/assets/index-Old9.js", "/console/nope.js", "/console/.placeholder", "/console/assets/whatever", "/console/index.html.map"} {
		resp, body := get(t, srv.URL+p)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status = %d, want 404", p, resp.StatusCode)
		}
		if bytes.Contains(body, []byte("<script")) {
			t.Errorf("GET %s: answered the page", p)
		}
	}
}

func TestWithoutABuildTheServerSaysHowToBuild(t *testing.T) {
	srv := serve(t, fstest.MapFS{".placeholder": {Data: []byte("placeholder")}})
	for _, p := range []string{"/console/", "/console/orders/x", "/console/assets/index-Ab12.js"} {
		resp, body := get(t, srv.URL+p)
		if resp.StatusCode != http.StatusServiceUnavailable || !bytes.Contains(body, []byte("web app not built: run make web")) {
			t.Errorf("GET %s: status = %d, body %q; want 503 saying to run make web", p, resp.StatusCode, body)
		}
	}
}

func TestThePlaceholderIsCommittedSoTheEmbedCompiles(t *testing.T) {
	if _, err := fs.Stat(distFS, "dist/.placeholder"); err != nil {
		t.Fatalf("dist/.placeholder is missing from the embedded files: %v", err)
	}
}

var (
	absURL  = regexp.MustCompile(`(?i)\b(https?:|wss?:|ftp:)?//[a-z0-9.-]+\.[a-z]{2,}`)
	urlAttr = regexp.MustCompile(`(?i)\b(?:src|href|action)\s*=\s*["']?([^"' >]*)`)
)

// TestTheBuiltPageStaysOnItsOrigin checks the real build (make web) when there is one.
func TestTheBuiltPageStaysOnItsOrigin(t *testing.T) {
	if _, err := fs.Stat(distFS, "dist/index.html"); err != nil {
		t.Skip("the web app is not built (make web)")
	}
	sub, _ := fs.Sub(distFS, "dist")
	srv := serve(t, sub)
	_, body := get(t, srv.URL+Base)
	page := string(body)
	if m := absURL.FindAllString(page, -1); len(m) > 0 {
		t.Errorf("page references other hosts %v; it must work offline, on its own origin", m)
	}
	refs := urlAttr.FindAllStringSubmatch(page, -1)
	if len(refs) < 3 {
		t.Fatalf("page references %d URLs, want its icon, stylesheet and script:\n%s", len(refs), page)
	}
	for _, m := range refs {
		ref := m[1]
		if !strings.HasPrefix(ref, Base) {
			t.Errorf("page references %q; want a same-origin %s path", ref, Base)
			continue
		}
		if resp, _ := get(t, srv.URL+ref); resp.StatusCode != http.StatusOK {
			t.Errorf("page references %q, which answers %d", ref, resp.StatusCode)
		}
	}
	// The CSP allows no inline script, style or event handler.
	if regexp.MustCompile(`(?i)<script(?:\s+[^>]*)?>\s*[^<\s]`).MatchString(page) || !strings.Contains(page, `type="module"`) {
		t.Errorf("page has an inline script or no module script:\n%s", page)
	}
	if regexp.MustCompile(`(?i)<style|\sstyle\s*=|\son[a-z]+\s*=`).MatchString(page) {
		t.Errorf("page has an inline style or event handler attribute:\n%s", page)
	}
}

// TestTheAppKeepsNoTokenInWebStorage reads the app's source: the session is the API's
// HttpOnly cookie, and invitation tokens travel in URL fragments only.
func TestTheAppKeepsNoTokenInWebStorage(t *testing.T) {
	tokenSave := regexp.MustCompile(`(?i)(localStorage|sessionStorage)\.setItem\([^)]*(token|secret|password)`)
	rawHTML := regexp.MustCompile(`v-html|\.innerHTML\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(`)
	n := 0
	err := filepath.WalkDir("../app/src", func(p string, d fs.DirEntry, err error) error {
		source := strings.HasSuffix(p, ".ts") || strings.HasSuffix(p, ".vue")
		if err != nil || d.IsDir() || !source || strings.HasSuffix(p, ".d.ts") {
			return err
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		n++
		if tokenSave.Match(src) {
			t.Errorf("%s stores a credential in web storage", p)
		}
		if m := rawHTML.Find(src); m != nil {
			t.Errorf("%s renders raw HTML (%s): render data as text", p, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 20 {
		t.Fatalf("read %d source files of the app, want its whole src/", n)
	}
}

// TestTheFieldAppIsServedUnderField: the engineers' app answers its page for its routes, its
// manifest and service worker as themselves (the worker allowed to control /field/), and a
// missing file as a 404.
func TestTheFieldAppIsServedUnderField(t *testing.T) {
	srv := serve(t, fakeBuild)
	for _, p := range []string{"/field/", "/field/login", "/field/jobs/0199f1c2-7d3e-7a10-8000-000000000001"} {
		resp, body := get(t, srv.URL+p)
		if resp.StatusCode != http.StatusOK || mediaType(t, resp) != "text/html" || !bytes.Contains(body, []byte("field-Gh56.js")) {
			t.Errorf("GET %s: %d %s, want the field page", p, resp.StatusCode, body)
		}
		if resp.Header.Get("Content-Security-Policy") != ContentSecurityPolicy {
			t.Errorf("GET %s: no CSP", p)
		}
	}
	resp, _ := get(t, srv.URL+"/field/sw.js")
	if resp.StatusCode != http.StatusOK || mediaType(t, resp) != "text/javascript" || resp.Header.Get("Service-Worker-Allowed") != FieldBase {
		t.Errorf("GET /field/sw.js: %d %q, Service-Worker-Allowed %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Service-Worker-Allowed"))
	}
	resp, _ = get(t, srv.URL+"/field/manifest.webmanifest")
	if resp.StatusCode != http.StatusOK || mediaType(t, resp) != "application/manifest+json" {
		t.Errorf("GET /field/manifest.webmanifest: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp, _ := get(t, srv.URL+"/field/missing.js"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /field/missing.js: %d, want 404", resp.StatusCode)
	}
}
