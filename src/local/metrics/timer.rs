//! A timer as Marathon's Dropwizard registry keeps one (a histogram of durations and a meter of
//! their rate, M:src/main/scala/mesosphere/marathon/metrics/current/DropwizardMetrics.scala
//! `timer`), held as Prometheus histogram buckets: the same instrument encodes as a Prometheus
//! histogram and answers the JSON snapshot of
//! M:src/main/scala/mesosphere/marathon/raml/MetricsConversion.scala (`Timer`).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use prometheus_client::encoding::{EncodeMetric, MetricEncoder, NoLabelSet};
use prometheus_client::metrics::histogram::exponential_buckets;
use prometheus_client::metrics::MetricType;
use serde::Serialize;

/// Dropwizard's `EWMA` tick: rates move every 5 seconds.
const TICK: Duration = Duration::from_secs(5);

/// One duration distribution and its rate; cheap to clone (clones share the values).
#[derive(Debug, Clone)]
pub(crate) struct Timer {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Debug)]
struct Inner {
    /// Upper bounds (seconds) and the observations in each bucket (not cumulative); the last
    /// bound is `+Inf`.
    buckets: Vec<(f64, u64)>,
    count: u64,
    sum: f64,
    sum_of_squares: f64,
    min: f64,
    max: f64,
    rates: Rates,
}

/// What `/metrics` shows of a timer: `Timer` of Marathon's `newMetrics.raml`, in seconds.
#[derive(Debug, Serialize, PartialEq)]
pub(crate) struct Snapshot {
    count: u64,
    min: f64,
    mean: f64,
    max: f64,
    p50: f64,
    p75: f64,
    p95: f64,
    p98: f64,
    p99: f64,
    p999: f64,
    stddev: f64,
    m1_rate: f64,
    m5_rate: f64,
    m15_rate: f64,
    mean_rate: f64,
    duration_units: &'static str,
    rate_units: &'static str,
}

impl Default for Timer {
    fn default() -> Self {
        Timer::new(Instant::now())
    }
}

impl Timer {
    /// A timer with no observations, its rates counted from `now`: buckets from 0.5 ms to
    /// 16 s (requests and checks of a local engine).
    fn new(now: Instant) -> Timer {
        let buckets = exponential_buckets(0.0005, 2.0, 16).chain([f64::INFINITY]).map(|b| (b, 0)).collect();
        Timer {
            inner: Arc::new(Mutex::new(Inner {
                buckets,
                count: 0,
                sum: 0.0,
                sum_of_squares: 0.0,
                min: f64::INFINITY,
                max: 0.0,
                rates: Rates::new(now),
            })),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records one duration.
    pub(crate) fn observe(&self, took: Duration) {
        self.observe_at(took, Instant::now());
    }

    fn observe_at(&self, took: Duration, now: Instant) {
        let v = took.as_secs_f64();
        let mut inner = self.lock();
        if let Some(bucket) = inner.buckets.iter_mut().find(|(bound, _)| v <= *bound) {
            bucket.1 += 1;
        }
        inner.count += 1;
        inner.sum += v;
        inner.sum_of_squares += v * v;
        inner.min = inner.min.min(v);
        inner.max = inner.max.max(v);
        inner.rates.mark(now);
    }

    /// The observations so far, as Marathon's JSON shows a timer.
    pub(crate) fn snapshot(&self) -> Snapshot {
        self.snapshot_at(Instant::now())
    }

    fn snapshot_at(&self, now: Instant) -> Snapshot {
        let mut inner = self.lock();
        inner.rates.tick(now);
        let n = inner.count as f64;
        let (min, mean, max, stddev) = if inner.count == 0 {
            (0.0, 0.0, 0.0, 0.0)
        } else {
            let mean = inner.sum / n;
            let variance = (inner.sum_of_squares / n - mean * mean).max(0.0);
            (inner.min, mean, inner.max, variance.sqrt())
        };
        let q = |q: f64| inner.quantile(q);
        Snapshot {
            count: inner.count,
            min,
            mean,
            max,
            p50: q(0.5),
            p75: q(0.75),
            p95: q(0.95),
            p98: q(0.98),
            p99: q(0.99),
            p999: q(0.999),
            stddev,
            m1_rate: inner.rates.m1.rate,
            m5_rate: inner.rates.m5.rate,
            m15_rate: inner.rates.m15.rate,
            mean_rate: inner.rates.mean(inner.count, now),
            duration_units: "seconds",
            rate_units: "calls/second",
        }
    }
}

impl Inner {
    /// The `q` quantile, interpolated inside its bucket as Prometheus' `histogram_quantile`
    /// does, and kept within the smallest and largest observation.
    fn quantile(&self, q: f64) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        let rank = q * self.count as f64;
        let (mut below, mut lower) = (0u64, 0.0);
        for &(bound, n) in &self.buckets {
            if n > 0 && (below + n) as f64 >= rank {
                let upper = if bound.is_finite() { bound } else { self.max };
                let within = ((rank - below as f64) / n as f64).clamp(0.0, 1.0);
                return (lower + (upper - lower) * within).clamp(self.min, self.max);
            }
            below += n;
            lower = bound;
        }
        self.max
    }
}

impl EncodeMetric for Timer {
    fn encode(&self, mut encoder: MetricEncoder) -> Result<(), std::fmt::Error> {
        let (sum, count, buckets) = {
            let inner = self.lock();
            (inner.sum, inner.count, inner.buckets.clone())
        };
        encoder.encode_histogram::<NoLabelSet>(sum, count, &buckets, None)
    }

    fn metric_type(&self) -> MetricType {
        MetricType::Histogram
    }
}

/// Dropwizard's `Meter`: the mean rate and the 1, 5 and 15 minute exponentially weighted
/// moving averages, per second, ticked every 5 seconds when read or marked (`tickIfNecessary`).
#[derive(Debug)]
struct Rates {
    start: Instant,
    last_tick: Instant,
    m1: Ewma,
    m5: Ewma,
    m15: Ewma,
}

impl Rates {
    fn new(now: Instant) -> Rates {
        Rates { start: now, last_tick: now, m1: Ewma::minutes(1.0), m5: Ewma::minutes(5.0), m15: Ewma::minutes(15.0) }
    }

    fn mark(&mut self, now: Instant) {
        self.tick(now);
        for ewma in [&mut self.m1, &mut self.m5, &mut self.m15] {
            ewma.uncounted += 1;
        }
    }

    fn tick(&mut self, now: Instant) {
        let age = now.saturating_duration_since(self.last_tick);
        let ticks = age.as_nanos() / TICK.as_nanos();
        // Past an hour every average has decayed to nothing; the loop stays short.
        for _ in 0..ticks.min(720) {
            for ewma in [&mut self.m1, &mut self.m5, &mut self.m15] {
                ewma.tick();
            }
        }
        self.last_tick += TICK * u32::try_from(ticks).unwrap_or(u32::MAX);
    }

    fn mean(&self, count: u64, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(self.start).as_secs_f64();
        if count == 0 || elapsed <= 0.0 {
            0.0
        } else {
            count as f64 / elapsed
        }
    }
}

/// Dropwizard's `EWMA`: `alpha = 1 - e^(-5s / window)`; the first tick sets the rate.
#[derive(Debug)]
struct Ewma {
    alpha: f64,
    uncounted: u64,
    rate: f64,
    initialized: bool,
}

impl Ewma {
    fn minutes(window: f64) -> Ewma {
        Ewma { alpha: 1.0 - (-TICK.as_secs_f64() / 60.0 / window).exp(), uncounted: 0, rate: 0.0, initialized: false }
    }

    fn tick(&mut self) {
        let instant = std::mem::take(&mut self.uncounted) as f64 / TICK.as_secs_f64();
        if self.initialized {
            self.rate += self.alpha * (instant - self.rate);
        } else {
            self.rate = instant;
            self.initialized = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_has_count_extremes_mean_and_quantiles_within_them() {
        let start = Instant::now();
        let t = Timer::new(start);
        for ms in [1, 2, 3, 4, 100] {
            t.observe_at(Duration::from_millis(ms), start);
        }
        let s = t.snapshot_at(start + Duration::from_secs(10));
        assert_eq!(s.count, 5);
        assert!((s.min - 0.001).abs() < 1e-9 && (s.max - 0.1).abs() < 1e-9, "{s:?}");
        assert!((s.mean - 0.022).abs() < 1e-9, "{s:?}");
        assert!(s.p50 > 0.002 && s.p50 <= 0.004, "{s:?}");
        assert!(s.p99 > 0.064 && s.p99 <= 0.1, "{s:?}");
        assert!(s.stddev > 0.03 && s.stddev < 0.04, "{s:?}");
        // Five calls in ten seconds; the first tick (at 5 s) sets every average to 5 / 5 s.
        assert!((s.mean_rate - 0.5).abs() < 1e-9, "{s:?}");
        assert!(s.m1_rate > 0.0 && s.m1_rate <= 1.0, "{s:?}");
        assert_eq!((s.duration_units, s.rate_units), ("seconds", "calls/second"));
    }

    #[test]
    fn an_empty_timer_reads_zero() {
        let s = Timer::new(Instant::now()).snapshot();
        assert_eq!((s.count, s.min, s.max, s.p99, s.mean_rate), (0, 0.0, 0.0, 0.0, 0.0));
    }

    #[test]
    fn rates_decay_after_the_calls_stop() {
        let start = Instant::now();
        let t = Timer::new(start);
        for _ in 0..60 {
            t.observe_at(Duration::from_millis(1), start);
        }
        let early = t.snapshot_at(start + TICK).m1_rate;
        let late = t.snapshot_at(start + Duration::from_secs(300)).m1_rate;
        assert!((early - 12.0).abs() < 1e-9, "{early}");
        assert!(late < early / 50.0, "{late}");
    }
}
