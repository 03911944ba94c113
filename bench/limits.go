package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/aftersales/aftersales/internal/platform"
)

// The public coverage check limits each client IP and each serial to 20 checks a minute
// (internal/api/entitlements.go), a constant with no configuration knob. Every request of
// the load generator comes from 127.0.0.1, so after 20 requests the scenario would measure
// 429s. Until platform.Config has a knob for it (see bench/README.md), publicLimitLifter
// raises those two limits in the rate-limit commands on their way to Redis: the API still
// sends the same command, Redis still runs the same GCRA script on the same key, so the
// request pays exactly what it pays in production; only the verdict is "allowed".
type publicLimitLifter struct{}

// publicLimitPrefix starts the Redis keys of the public check's limits: redis_rate's
// "rate:" + platform.Limiter's "rl:" + the API's "public:".
const publicLimitPrefix = "rate:rl:public:"

// liftedLimit is the burst and rate (per period) the lifter substitutes.
const liftedLimit = 1_000_000_000

func (publicLimitLifter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (publicLimitLifter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		liftLimit(cmd.Args())
		return next(ctx, cmd)
	}
}

func (publicLimitLifter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, cmd := range cmds {
			liftLimit(cmd.Args())
		}
		return next(ctx, cmds)
	}
}

// liftLimit rewrites, in place, the burst and rate of a redis_rate GCRA call on a public
// check key: EVALSHA|EVAL <script> 1 <key> <burst> <rate> <period> <cost>. It reports
// whether it did.
func liftLimit(args []any) bool {
	if len(args) != 8 {
		return false
	}
	name, _ := args[0].(string)
	key, _ := args[3].(string)
	if (!strings.EqualFold(name, "evalsha") && !strings.EqualFold(name, "eval")) || !strings.HasPrefix(key, publicLimitPrefix) {
		return false
	}
	args[4], args[5] = liftedLimit, liftedLimit
	return true
}

// checkPublicLimitLifted fails when the lifter does not work (a new redis_rate shaping its
// commands differently): the public scenario would then measure refusals.
func checkPublicLimitLifted(ctx context.Context, l *platform.Limiter) error {
	key := "public:ip:bench-probe-" + platform.NewID().String()
	for i := range 25 {
		if ok, _ := l.Allow(ctx, key, platform.PerMinute(20)); !ok {
			return fmt.Errorf("the public check's rate limit refused request %d of a probe: bench/limits.go no longer lifts it", i+1)
		}
	}
	return nil
}
