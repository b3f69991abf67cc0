package server

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/openvod/openvod/internal/store"
)

// metrics holds the Prometheus instruments of one server.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	finished *prometheus.CounterVec
	events   *prometheus.CounterVec
}

func newMetrics(db *store.DB) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "openvod_api_requests_total",
			Help: "API requests by action and result code (\"\" is success)."}, []string{"action", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "openvod_api_request_duration_seconds",
			Help: "API request latency by action.", Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5}},
			[]string{"action"}),
		finished: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "openvod_tasks_finished_total",
			Help: "Tasks this process ended, by type and final status."}, []string{"type", "status"}),
	}
	m.events = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "openvod_event_callbacks_total",
		Help: "PUSH event callback attempts by outcome (delivered, retry, dead) and receiver HTTP status (0: no answer)."},
		[]string{"outcome", "status"})
	m.reg.MustRegister(m.requests, m.latency, m.finished, m.events, collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), &taskCollector{db: db})
	return m
}

func (m *metrics) observe(action, code string, d time.Duration) {
	m.requests.WithLabelValues(action, code).Inc()
	m.latency.WithLabelValues(action).Observe(d.Seconds())
}

func (m *metrics) taskFinished(taskType, status string, _ time.Duration) {
	m.finished.WithLabelValues(taskType, status).Inc()
}

func (m *metrics) eventDelivery(outcome string, status int) {
	m.events.WithLabelValues(outcome, strconv.Itoa(status)).Inc()
}

func (m *metrics) handler() http.Handler { return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}) }

// taskCollector reads task counts and queue depth from the database at
// scrape time, so every process of a fleet reports the same truth.
type taskCollector struct{ db *store.DB }

var (
	tasksDesc  = prometheus.NewDesc("openvod_tasks", "Tasks in the retention window by type and status.", []string{"type", "status"}, nil)
	eventsDesc = prometheus.NewDesc("openvod_events", "Events kept, by mode and state.", []string{"mode", "state"}, nil)
	queueDesc  = prometheus.NewDesc("openvod_queue_depth", "Tasks waiting for a worker (waiting) and being processed (running).", []string{"state"}, nil)
)

func (c *taskCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- tasksDesc
	ch <- queueDesc
	ch <- eventsDesc
}

func (c *taskCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if counts, err := c.db.CountTasks(ctx); err == nil {
		for _, tc := range counts {
			ch <- prometheus.MustNewConstMetric(tasksDesc, prometheus.GaugeValue, float64(tc.N), tc.TaskType, tc.Status)
		}
	}
	if counts, err := c.db.EventCounts(ctx); err == nil {
		for k, n := range counts {
			mode, state, _ := strings.Cut(k, "/")
			ch <- prometheus.MustNewConstMetric(eventsDesc, prometheus.GaugeValue, float64(n), mode, state)
		}
	}
	if w, r, err := c.db.QueueDepth(ctx); err == nil {
		ch <- prometheus.MustNewConstMetric(queueDesc, prometheus.GaugeValue, float64(w), "waiting")
		ch <- prometheus.MustNewConstMetric(queueDesc, prometheus.GaugeValue, float64(r), "running")
	}
}
