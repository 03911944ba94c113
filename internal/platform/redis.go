package platform

import (
	"fmt"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// OpenRedis connects to url, or starts an in-process Redis when url is empty (local use).
// The returned stop function releases what was started.
func OpenRedis(url string) (*redis.Client, func(), error) {
	if url == "" {
		mr, err := miniredis.Run()
		if err != nil {
			return nil, nil, fmt.Errorf("start in-process redis: %w", err)
		}
		c := redis.NewClient(&redis.Options{Addr: mr.Addr()})
		return c, func() { c.Close(); mr.Close() }, nil
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, nil, fmt.Errorf("parse REDIS_URL: %w", err)
	}
	c := redis.NewClient(opt)
	return c, func() { c.Close() }, nil
}
