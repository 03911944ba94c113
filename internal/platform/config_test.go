package platform

import "testing"

// TestJobWorkersConfig: JOB_WORKERS sizes the default job queue, 100 unless set, and a
// value out of range stops the start with a message naming it.
func TestJobWorkersConfig(t *testing.T) {
	c, err := LoadConfig()
	if err != nil || c.JobWorkers != 100 {
		t.Fatalf("default: %d, %v", c.JobWorkers, err)
	}
	t.Setenv("JOB_WORKERS", "64")
	if c, err = LoadConfig(); err != nil || c.JobWorkers != 64 {
		t.Fatalf("JOB_WORKERS=64: %d, %v", c.JobWorkers, err)
	}
	t.Setenv("JOB_WORKERS", "0")
	if _, err = LoadConfig(); err == nil {
		t.Fatal("JOB_WORKERS=0 accepted")
	}
}
