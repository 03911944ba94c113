package notify_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aftersales/aftersales/internal/notify"
)

func TestSMSProviderPostsWithIdempotencyKey(t *testing.T) {
	t.Parallel()
	var got struct {
		auth, key string
		body      map[string]string
	}
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.auth, got.key = r.Header.Get("Authorization"), r.Header.Get("Idempotency-Key")
		_ = json.NewDecoder(r.Body).Decode(&got.body)
		if got.body["to"] == "+8613800000000" {
			http.Error(w, `{"error":"blocked number"}`, http.StatusBadRequest)
			return
		}
		_, _ = w.Write([]byte(`{"id":"gw-123"}`))
	}))
	defer gw.Close()
	p, err := notify.NewProviders(notify.Config{SMSURL: gw.URL + "/send", SMSKey: "k1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	id, err := p.SMS.Send(context.Background(), notify.Message{Channel: "sms", To: "+8613812345678", Body: "您好", Key: "send-1"})
	if err != nil || id != "gw-123" {
		t.Fatalf("send: %q %v", id, err)
	}
	if got.auth != "Bearer k1" || got.key != "send-1" || got.body["text"] != "您好" || got.body["reference"] != "send-1" {
		t.Errorf("gateway saw %+v", got)
	}
	if !p.SMS.Idempotent() {
		t.Error("the SMS gateway provider passes a key and should say it is idempotent")
	}
	if _, err := p.SMS.Send(context.Background(), notify.Message{To: "+8613800000000", Body: "x", Key: "send-2"}); err == nil ||
		!strings.Contains(err.Error(), "blocked number") {
		t.Errorf("gateway refusal: %v", err)
	}
	if _, err := notify.NewProviders(notify.Config{SMSURL: "ftp://x"}, nil); err == nil {
		t.Error("an ftp SMS_URL was accepted")
	}
	if _, err := notify.NewProviders(notify.Config{SMTPURL: "mailto:x@y"}, nil); err == nil {
		t.Error("a mailto SMTP_URL was accepted")
	}
}

// fakeSMTP accepts one message and hands its DATA back.
func fakeSMTP(t *testing.T) (string, <-chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	out := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		say := func(s string) { _, _ = c.Write([]byte(s + "\r\n")) }
		say("220 fake ESMTP")
		var data strings.Builder
		inData := false
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if inData {
				if line == ".\r\n" {
					inData = false
					out <- data.String()
					say("250 queued")
					continue
				}
				data.WriteString(line)
				continue
			}
			switch cmd := strings.ToUpper(strings.TrimSpace(line)); {
			case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
				say("250 fake")
			case strings.HasPrefix(cmd, "DATA"):
				inData = true
				say("354 go ahead")
			case strings.HasPrefix(cmd, "QUIT"):
				say("221 bye")
				return
			default:
				say("250 ok")
			}
		}
	}()
	return ln.Addr().String(), out
}

func TestSMTPProviderSendsUTF8Mail(t *testing.T) {
	t.Parallel()
	addr, got := fakeSMTP(t)
	p, err := notify.NewProviders(notify.Config{SMTPURL: "smtp://" + addr, SMTPFrom: "Aftersales <noreply@example.com>"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	id, err := p.Email.Send(context.Background(), notify.Message{Channel: "email", To: "li@example.com", Subject: "维修完成 - 安心售后",
		Body: "服务单 SO-1 已维修完成。\n谢谢", Key: "send-9"})
	if err != nil {
		t.Fatal(err)
	}
	msg := <-got
	for _, want := range []string{"To: <li@example.com>", "Subject: =?utf-8?q?", "Message-ID: <send-9@aftersales>",
		"Content-Type: text/plain; charset=UTF-8", "服务单 SO-1 已维修完成。\r\n谢谢"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	if id != "<send-9@aftersales>" || p.Email.Idempotent() {
		t.Errorf("id %q, idempotent %v", id, p.Email.Idempotent())
	}
}
