package platform

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// Limiter applies rate limits in Redis (GCRA via redis_rate). When Redis cannot be reached
// it lets the request through, logs, and counts the failure: an outage of the limiter must
// not become an outage of the API.
type Limiter struct {
	rl       *redis_rate.Limiter
	log      *slog.Logger
	failures prometheus.Counter
	prefix   string // namespaces keys when several deployments (or tests) share a Redis
	// downUntil (unix nanoseconds) skips Redis for a moment after a failure, so that an
	// outage costs each request nothing instead of a connection timeout.
	downUntil atomic.Int64
}

// limiterBackoff is how long the limiter leaves Redis alone after a failure.
const limiterBackoff = 5 * time.Second

// NewLimiter registers its failure counter on reg.
func NewLimiter(rdb *redis.Client, log *slog.Logger, reg prometheus.Registerer) *Limiter {
	c := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "aftersales_ratelimit_errors_total",
		Help: "Rate-limit checks that failed open because Redis was unavailable.",
	})
	reg.MustRegister(c)
	return &Limiter{rl: redis_rate.NewLimiter(rdb), log: log, failures: c}
}

// Limit is a rate: Rate events per Period, with bursts up to Burst.
type Limit = redis_rate.Limit

// PerSecond allows n requests a second with a burst of n.
func PerSecond(n int) Limit { return redis_rate.PerSecond(n) }

// PerHour allows n events an hour.
func PerHour(n int) Limit { return redis_rate.PerHour(n) }

// PerMinute allows n events a minute.
func PerMinute(n int) Limit { return redis_rate.PerMinute(n) }

// Allow takes one event for key. It returns false and the wait before a retry when the
// limit is exceeded, and true when Redis fails.
func (l *Limiter) Allow(ctx context.Context, key string, lim Limit) (bool, time.Duration) {
	if time.Now().UnixNano() < l.downUntil.Load() {
		l.failures.Inc()
		return true, 0
	}
	ctx, cancel := context.WithTimeout(ctx, 250*time.Millisecond)
	defer cancel()
	res, err := l.rl.Allow(ctx, l.prefix+"rl:"+key, lim)
	if err != nil {
		l.failures.Inc()
		l.downUntil.Store(time.Now().Add(limiterBackoff).UnixNano())
		l.log.WarnContext(ctx, "rate limit check failed open; Redis skipped for a moment", "key", key, "err", err)
		return true, 0
	}
	if res.Allowed == 0 {
		return false, res.RetryAfter
	}
	return true, 0
}

// WithPrefix namespaces the limiter's keys (for deployments or tests sharing one Redis).
func (l *Limiter) WithPrefix(prefix string) *Limiter {
	l.prefix = prefix
	return l
}
