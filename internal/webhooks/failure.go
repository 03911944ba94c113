package webhooks

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"
)

// ErrorClasses are the classes of a failed delivery attempt as the tenant sees them. The
// raw error of an attempt is written only to the server's log: it can name the platform's
// resolver and network ("dial udp 10.0.0.2:53: ...").
var ErrorClasses = []string{
	ClassDNS, ClassTimeout, ClassRefused, ClassConnection, ClassTLS, ClassHTTPStatus, ClassRefusedAddress,
}

// The error classes.
const (
	// ClassDNS: the endpoint's host name did not resolve.
	ClassDNS = "dns_failure"
	// ClassTimeout: no connection, or no response, within the attempt's timeout.
	ClassTimeout = "timeout"
	// ClassRefused: the endpoint's host refused the connection.
	ClassRefused = "connection_refused"
	// ClassConnection: the connection failed otherwise (reset, unreachable, closed early).
	ClassConnection = "connection_error"
	// ClassTLS: the TLS handshake failed (certificate untrusted, expired, for another name).
	ClassTLS = "tls_error"
	// ClassHTTPStatus: the endpoint answered with a status other than 2xx (response_code).
	ClassHTTPStatus = "http_status"
	// ClassRefusedAddress: the endpoint resolved to an address deliveries may not reach.
	ClassRefusedAddress = "refused_address"
)

// classify turns the error of an attempt that got no HTTP response into its class and a
// short message that says nothing of the platform's network: no resolver address, no local
// address, no internal error text. timeout is the attempt's timeout, named in the message.
func classify(err error, timeout time.Duration) (class, message string) {
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var badHost x509.HostnameError
	var badCert x509.CertificateInvalidError
	var alert tls.AlertError
	var recordErr tls.RecordHeaderError
	var netErr net.Error
	switch {
	case errors.Is(err, errPrivate):
		return ClassRefusedAddress, "the endpoint resolves to an address deliveries may not reach (private, loopback, link-local or reserved)"
	case errors.As(err, &dnsErr):
		switch {
		case dnsErr.IsNotFound:
			return ClassDNS, "the endpoint's host name does not resolve"
		case dnsErr.IsTimeout:
			return ClassDNS, "the endpoint's host name could not be resolved in time"
		}
		return ClassDNS, "the endpoint's host name could not be resolved"
	case errors.As(err, &certErr), errors.As(err, &unknownCA), errors.As(err, &badHost), errors.As(err, &badCert):
		return ClassTLS, "the endpoint's TLS certificate is not valid for its host name or not trusted"
	case errors.As(err, &alert), errors.As(err, &recordErr):
		return ClassTLS, "the TLS handshake with the endpoint failed"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return ClassTimeout, fmt.Sprintf("the endpoint did not answer within %s", timeout)
	case errors.Is(err, syscall.ECONNREFUSED):
		return ClassRefused, "the endpoint refused the connection"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return ClassConnection, "the endpoint closed the connection without an answer"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return ClassConnection, "the endpoint cannot be reached"
	}
	return ClassConnection, "the connection to the endpoint failed"
}
