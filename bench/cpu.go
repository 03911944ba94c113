package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
)

// clockTick is the unit of /proc/<pid>/stat's CPU times (USER_HZ, 100 on Linux).
const clockTick = 10 * time.Millisecond

// cpuUse is CPU time consumed so far by the parties of a scenario: this process (the API
// and the load generator, which share it), the database's backends (of the benchmark
// database only) and Redis (the whole server: shared with anything else using it).
type cpuUse struct {
	self, db, redis time.Duration
	ok              bool
}

// cpuProbe samples cpuUse. It needs Linux's /proc; elsewhere samples are not ok.
type cpuProbe struct {
	ownerURL, dbName string
	redisPID         int
}

func newCPUProbe(ctx context.Context, ownerURL, dbName string, rdb *redis.Client) *cpuProbe {
	p := &cpuProbe{ownerURL: ownerURL, dbName: dbName}
	if info, err := rdb.Info(ctx, "server").Result(); err == nil {
		p.redisPID = parseRedisPID(info)
	}
	return p
}

// parseRedisPID reads process_id from the reply to INFO server (0 when absent).
func parseRedisPID(info string) int {
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "process_id:"); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return 0
}

// sample reads the CPU times now. Backends are those connected to the benchmark database
// at the moment: pools keep their connections, so sampling after the warm-up has opened
// them and again at the end compares the same processes.
func (p *cpuProbe) sample(ctx context.Context) cpuUse {
	var u cpuUse
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return u
	}
	u.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	conn, err := pgx.Connect(ctx, p.ownerURL)
	if err != nil {
		return u
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, p.dbName)
	if err != nil {
		return u
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return u
	}
	for _, pid := range pids {
		t, err := procCPU(int(pid))
		if err == nil {
			u.db += t
		}
	}
	if p.redisPID > 0 {
		u.redis, _ = procCPU(p.redisPID)
	}
	u.ok = true
	return u
}

// procCPU is a process's user + system CPU time from /proc/<pid>/stat.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseProcStat(string(b))
}

// parseProcStat reads utime and stime (fields 14 and 15) from a /proc/<pid>/stat line. The
// command name (field 2) is parenthesised and may hold spaces, so fields are counted after
// its closing parenthesis.
func parseProcStat(s string) (time.Duration, error) {
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("malformed /proc stat line")
	}
	f := strings.Fields(s[i+1:]) // f[0] is field 3 (state)
	if len(f) < 13 {
		return 0, fmt.Errorf("short /proc stat line")
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("malformed /proc stat times")
	}
	return time.Duration(ut+st) * clockTick, nil
}
