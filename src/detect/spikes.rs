//! Spikes: templates (and the overall error rate) bursting far above their own normal level.
//!
//! In: a merged [`Summary`] with its [`Templates`], a [`DetectConfig`], and optionally a
//! baseline summary with templates clustered together with the current ones (same ids, see
//! `detect::pair`). Out: [`Finding`]s of kind `Spike` and `ErrorRateSpike`.
//!
//! Per template: counts on the display grid (`timeline::Grid`, 60–300 buckets) and bursts from
//! `burst::scan_both` — a Poisson scan statistic with a robust normal rate, quasi-Poisson
//! dispersion, a multiple-testing correction for the number of templates scanned, and
//! periodicity suppression (references in `detect::burst`), run under two exposure models
//! (the other events in each bucket, so following the traffic curve is normal; and plain
//! time, so a timer is not a night-time burst) and kept only when both agree. Onset and end
//! are refined on the summary's fine series (`resolution_ms`) with a Poisson CUSUM
//! (`burst::refine`). The overall error rate is the error+fatal series against all other
//! events, same method with `min_factor` 2.
//!
//! Reported per spike: onset, end (None while still going on at the end of the data), peak
//! bucket, peak rate vs the normal rate at that time (per minute, and the factor: the smaller
//! of the two exposure models' factors, since the burst had to pass both), events in
//! the spike, the display series for a sparkline, and in `details` the G statistic,
//! dispersion and expectation. A burst of a template never seen outside it is titled
//! "Burst" and its factor capped at 100 (against "less than one event" any ratio is made up).
//!
//! With a baseline, a burst is dropped when the baseline's same template had bursts of a
//! similar size (peak at least a third of today's, compared at a common bucket width): the
//! hourly cron job that also ran yesterday is not what changed.

use super::burst::{self, Burst, Scan};
use super::timeline::{self, Grid};
use super::{DetectConfig, Finding, FindingKind};
use crate::record::Level;
use crate::summary::templates::{TemplateStats, Templates};
use crate::summary::{Series, Summary};

/// Spikes of every template and of the error rate, unranked.
pub fn find(
    sum: &Summary,
    templates: &Templates,
    cfg: &DetectConfig,
    baseline: Option<(&Summary, &Templates)>,
) -> Vec<Finding> {
    let mut out = template_spikes(sum, templates, cfg, baseline);
    out.extend(error_rate_spikes(sum, templates, cfg, baseline));
    out
}

/// Shared per-summary context: the grids and the all-events series on them.
struct Ctx<'a> {
    sum: &'a Summary,
    grid: Grid,
    fine: Grid,
    all: Vec<u64>,
    all_fine: Vec<u64>,
    /// Plain-time exposure of each display bucket (the second model, see `burst::scan_both`).
    time_w: Vec<f64>,
}

impl<'a> Ctx<'a> {
    fn new(sum: &'a Summary, cfg: &DetectConfig) -> Option<Ctx<'a>> {
        let grid = Grid::for_summary(sum, cfg.bucket_ms)?;
        let fine = grid.fine();
        Some(Ctx {
            sum,
            grid,
            fine,
            all: timeline::all_events(sum, &grid),
            all_fine: timeline::all_events(sum, &fine),
            time_w: vec![grid.width as f64; grid.len],
        })
    }
}

/// One detected, non-periodic burst, with its onset refined.
struct Located {
    burst: Burst,
    onset: i64,
    end: Option<i64>,
    count: u64,
    peak_time: i64,
    peak_count: u64,
    /// Expected events in the peak bucket at the normal rate, following the traffic (the
    /// scan's model) and following the clock (the confirming model, when it confirmed).
    peak_expected_traffic: f64,
    peak_expected_time: Option<f64>,
}

impl Located {
    /// Expected events in the peak bucket: the larger of the two models' expectations, so
    /// the factor shown is the smaller one. Against traffic alone a sparse template's
    /// expectation collapses wherever other events are few (a quiet stretch of a sampled
    /// log gave "×64,505"); the burst passed both models, and the honest size is the one
    /// both support.
    fn peak_expected(&self) -> f64 {
        self.peak_expected_time
            .map_or(self.peak_expected_traffic, |t| {
                t.max(self.peak_expected_traffic)
            })
    }
}

fn locate(ctx: &Ctx, own_series: &Series, own: &[u64], w: &[f64], sc: &Scan, b: &Burst) -> Located {
    let g = &ctx.grid;
    let k = (g.width / g.res).max(1) as usize;
    let own_fine = ctx.fine.dense(own_series);
    let others_fine = timeline::others(&ctx.all_fine, &own_fine);
    let w_fine = timeline::exposure(&others_fine, ctx.fine.width);
    // Search a margin around the window: a level shift's window can start late where the
    // new level is still low (at night), and the CUSUM only moves the onset where the data
    // say so.
    let margin = ((b.end - b.start) / 4).max(1);
    let lo = b.start.saturating_sub(margin) * k;
    let hi = ((b.end + margin) * k).min(ctx.fine.len);
    let burst_rate = sc.rate * b.count as f64 / b.expected.max(1e-12);
    // The normal level for the change-point search: the rate outside the searched range,
    // which keeps the early, still-low part of a level shift out of "normal". Falls back to
    // the scan's normal rate when too little lies outside.
    let (mut c_out, mut w_out) = (0u64, 0f64);
    for i in (0..lo).chain(hi..ctx.fine.len) {
        c_out += own_fine[i];
        w_out += w_fine[i];
    }
    let w_total: f64 = w_fine.iter().sum();
    let normal_rate = if c_out > 0 && w_out >= 0.05 * w_total {
        (c_out as f64 / w_out).min(sc.rate)
    } else {
        sc.rate
    };
    let normal: Vec<f64> = w_fine[lo..hi].iter().map(|x| x * normal_rate).collect();
    let high: Vec<f64> = w_fine[lo..hi].iter().map(|x| x * burst_rate).collect();
    let (on, end) = burst::refine(&own_fine[lo..hi], &normal, &high)
        .map(|(a, e)| (lo + a, lo + e))
        .unwrap_or((b.start * k, b.end * k));
    let count: u64 = own_fine[on..end].iter().sum();
    // Still going when it lasts into the last display bucket (which may be only partly
    // covered by data).
    let still_going = b.end >= g.len || end + k >= ctx.fine.len;
    Located {
        burst: b.clone(),
        onset: ctx.fine.start_ms(on),
        end: (!still_going).then(|| ctx.fine.start_ms(end)),
        count,
        peak_time: g.start_ms(b.peak),
        peak_count: own[b.peak],
        peak_expected_traffic: sc.rate * w[b.peak],
        peak_expected_time: b.alt_rate.map(|r| r * ctx.time_w[b.peak]),
    }
}

/// Bursts of one series worth reporting: neither periodic nor recurrent, most significant
/// first, at most `max`.
fn reportable(sc: &Scan, max: usize) -> Vec<&Burst> {
    let mut v: Vec<&Burst> = sc
        .bursts
        .iter()
        .filter(|b| !b.periodic && !b.recurrent)
        .collect();
    v.sort_by(|a, b| b.g.total_cmp(&a.g).then(a.start.cmp(&b.start)));
    v.truncate(max);
    v
}

fn per_min(count: f64, ms: i64) -> f64 {
    count * 60_000.0 / ms.max(1) as f64
}

fn template_spikes(
    sum: &Summary,
    templates: &Templates,
    cfg: &DetectConfig,
    baseline: Option<(&Summary, &Templates)>,
) -> Vec<Finding> {
    let Some(ctx) = Ctx::new(sum, cfg) else {
        return Vec::new();
    };
    let base = baseline.and_then(|(s, t)| Ctx::new(s, cfg).map(|c| (c, t)));
    // Once signatures overflow their caps, the `other` bucket only starts counting where the
    // caps filled: its "burst" from there on says where that was, not what the system did.
    // (A flood of new messages past the caps still shows in the overall error rate.)
    let scanned_template = |t: &TemplateStats| {
        !(t.is_other && sum.overflow.events > 0) && t.series.total() >= cfg.spike.min_count
    };
    // Multiple-testing correction: every template with enough events is one more series.
    let scanned = templates
        .list
        .iter()
        .filter(|t| scanned_template(t))
        .count();
    let mut cfg = cfg.clone();
    cfg.spike.positions = (scanned * ctx.grid.len) as f64;
    let cfg = &cfg;
    let mut out = Vec::new();
    for t in &templates.list {
        if !scanned_template(t) {
            continue;
        }
        let own = ctx.grid.dense(&t.series);
        let others = timeline::others(&ctx.all, &own);
        let w = timeline::exposure(&others, ctx.grid.width);
        let mut sc = burst::scan_both(&own, &w, &ctx.time_w, &cfg.spike);
        let recurrence = burst::mark_recurrent(&mut sc.bursts, own.len());
        let mut bursts = reportable(&sc, cfg.max_spikes_per_template);
        // A template's level before it fell silent is no burst (see `burst::rose_from_before`).
        bursts.retain(|b| burst::rose_from_before(&own, &w, &sc, b, &cfg.spike));
        if bursts.is_empty() {
            continue;
        }
        let base_t = base
            .as_ref()
            .and_then(|(bc, bt)| bt.by_id(&t.id).map(|x| (bc, x)));
        for b in bursts {
            let loc = locate(&ctx, &t.series, &own, &w, &sc, b);
            let mut suppressed_by = None;
            if let Some((bc, bt)) = &base_t {
                suppressed_by = similar_in_baseline(&ctx, &t.series, &loc, bc, &bt.series, cfg);
            }
            if suppressed_by.is_some() {
                continue;
            }
            let mut f = spike_finding(&ctx, &own, &sc, &loc, FindingKind::Spike);
            // Only when this burst holds every event does it say so: a template whose events
            // all fall in several bursts is "only in bursts", not "not seen outside" this one.
            let alone = sc.bursts.len() <= 1 && t.series.total() <= b.count;
            f.title = if sc.rate_is_floor && alone {
                format!(
                    "Burst: {} (not seen outside it)",
                    crate::report::template_title(t, 120)
                )
            } else if sc.rate_is_floor {
                format!(
                    "Burst: {} (seen only in bursts: {} of its {} events in this one)",
                    crate::report::template_title(t, 120),
                    loc.count,
                    t.series.total()
                )
            } else {
                format!(
                    "Spike ×{}: {}",
                    fmt_factor(f.factor),
                    crate::report::template_title(t, 120)
                )
            };
            f.template = Some(t.text.clone());
            f.template_id = Some(t.id.clone());
            f.examples = t.evidence(None, Some((loc.onset, loc.end)));
            if !f
                .examples
                .iter()
                .any(|e| e.time.is_some_and(|x| x >= loc.onset))
            {
                // Only a template's first events are kept as examples: say so rather than
                // let them pass for evidence from inside the burst.
                f.notes.push(
                    "examples are this template's first events, from before the burst".to_string(),
                );
            }
            if let Some(r) = recurrence {
                f.notes.push(format!(
                    "this template comes in clumps: {} others of ~{:.0} events spread over the log; this one is {:.1}× that size",
                    r.bursts,
                    r.median_count,
                    b.count as f64 / r.median_count.max(1.0)
                ));
                f.details
                    .insert("recurrent_bursts_suppressed".into(), r.bursts.into());
                f.details.insert(
                    "recurrent_burst_median_count".into(),
                    json_f64(r.median_count),
                );
            }
            if t.untimed > 0 {
                f.notes.push(format!(
                    "{} event(s) of this template have no timestamp and are not in the series",
                    t.untimed
                ));
            }
            if baseline.is_some() {
                if base_t.is_none_or(|(_, bt)| bt.count == 0) {
                    f.notes
                        .push("template absent from the baseline".to_string());
                } else {
                    f.notes
                        .push("no burst of similar size in the baseline".to_string());
                }
            }
            // Weighted by what the template's events typically are, not by its rarest level:
            // a burst of mostly-`info` requests is not an error spike because a few of
            // that template's requests were ever logged as warnings.
            f.rescore(t.typical_level());
            out.push(f);
        }
    }
    out
}

/// Largest factor reported for a burst of a template never seen outside it.
pub const MAX_FLOOR_FACTOR: f64 = 100.0;

fn fmt_factor(f: Option<f64>) -> String {
    match f {
        Some(x) if x >= 100.0 => format!("{x:.0}"),
        Some(x) => format!("{x:.1}"),
        None => "∞".to_string(),
    }
}

fn spike_finding(ctx: &Ctx, own: &[u64], sc: &Scan, loc: &Located, kind: FindingKind) -> Finding {
    let g = &ctx.grid;
    let mut f = Finding::new(kind, String::new());
    f.start = Some(loc.onset);
    f.end = loc.end;
    f.peak = Some(loc.peak_time);
    f.count = loc.count;
    let rate = per_min(loc.peak_count as f64, g.width);
    let expected = loc.peak_expected();
    let normal = per_min(expected, g.width);
    f.rate = Some(rate);
    f.baseline_rate = Some(normal);
    f.factor = Some(loc.peak_count as f64 / expected.max(1e-9));
    f.series = own.to_vec();
    f.series_start = Some(g.start_ms(0));
    f.bucket_ms = Some(g.width);
    let b = &loc.burst;
    let d = &mut f.details;
    d.insert("events_in_burst_window".into(), b.count.into());
    d.insert("expected_in_burst_window".into(), json_f64(b.expected));
    d.insert("mean_factor".into(), json_f64(b.factor()));
    d.insert("g_statistic".into(), json_f64(b.g));
    d.insert("dispersion".into(), json_f64(sc.dispersion));
    d.insert("normal_rate_per_min".into(), json_f64(sc.rate * 60_000.0));
    d.insert("peak_count".into(), loc.peak_count.into());
    let peak_factor = |e: f64| json_f64(loc.peak_count as f64 / e.max(1e-9));
    d.insert(
        "peak_factor_vs_traffic".into(),
        peak_factor(loc.peak_expected_traffic),
    );
    if let Some(e) = loc.peak_expected_time {
        d.insert("peak_factor_vs_time".into(), peak_factor(e));
    }
    d.insert("bucket_ms".into(), g.width.into());
    if sc.periodic {
        d.insert("periodic_bursts_suppressed".into(), true.into());
    }
    if sc.rate_is_floor {
        // Against a rate of "less than one event in the window" any ratio is arbitrary:
        // keep the raw one in the details and cap what is ranked and shown.
        d.insert("uncapped_factor".into(), json_f64(f.factor.unwrap_or(0.0)));
        f.factor = f.factor.map(|x| x.min(MAX_FLOOR_FACTOR));
        f.notes.push(
            "no event outside its bursts: normal rate taken as < 1 event in the window; factor capped"
                .into(),
        );
    }
    if ctx.sum.untimed > 0 {
        f.notes.push(format!(
            "{} event(s) in the input have no timestamp and are not in any series",
            ctx.sum.untimed
        ));
    }
    f
}

fn json_f64(x: f64) -> serde_json::Value {
    let r = (x * 1000.0).round() / 1000.0;
    serde_json::Number::from_f64(r).map_or(serde_json::Value::Null, serde_json::Value::Number)
}

/// Whether the baseline's series of the same template had bursts of similar size; returns a
/// description of the matching baseline burst.
fn similar_in_baseline(
    ctx: &Ctx,
    cur_series: &Series,
    loc: &Located,
    base: &Ctx,
    base_series: &Series,
    cfg: &DetectConfig,
) -> Option<String> {
    if base_series.is_empty() {
        return None;
    }
    // A common width both series can be cut into exactly.
    let wc = lcm(ctx.grid.width, base.sum.resolution_ms);
    let end = loc.end.unwrap_or(ctx.grid.end_ms());
    let cur_g = Grid::over(loc.onset, end - 1, ctx.sum.resolution_ms, Some(wc));
    let cur_peak = cur_g.dense(cur_series).into_iter().max().unwrap_or(0);
    let (bmin, bmax) = (base.sum.time_min?, base.sum.time_max?);
    let bg = Grid::over(bmin, bmax, base.sum.resolution_ms, Some(wc));
    let own = bg.dense(base_series);
    let all = timeline::all_events(base.sum, &bg);
    let w = timeline::exposure(&timeline::others(&all, &own), bg.width);
    // Lenient on the baseline side (no multiple-testing penalty): any burst of similar size
    // yesterday is reason enough not to call today's news.
    let params = burst::BurstParams {
        positions: 0.0,
        ..cfg.spike
    };
    let sc = burst::scan_both(&own, &w, &vec![bg.width as f64; bg.len], &params);
    let best = sc.bursts.iter().map(|b| own[b.peak]).max()?;
    (best as f64 * 3.0 >= cur_peak as f64).then(|| {
        format!(
            "baseline has bursts of this template peaking at {best} per {} ms",
            bg.width
        )
    })
}

fn lcm(a: i64, b: i64) -> i64 {
    fn gcd(a: i64, b: i64) -> i64 {
        if b == 0 {
            a
        } else {
            gcd(b, a % b)
        }
    }
    let (a, b) = (a.max(1), b.max(1));
    a / gcd(a, b) * b
}

fn error_rate_spikes(
    sum: &Summary,
    templates: &Templates,
    cfg: &DetectConfig,
    baseline: Option<(&Summary, &Templates)>,
) -> Vec<Finding> {
    let Some(ctx) = Ctx::new(sum, cfg) else {
        return Vec::new();
    };
    let own = timeline::error_events(sum, &ctx.grid);
    let others = timeline::others(&ctx.all, &own);
    let w = timeline::exposure(&others, ctx.grid.width);
    let sc = burst::scan_both(&own, &w, &ctx.time_w, &cfg.error_rate);
    let bursts = reportable(&sc, cfg.max_spikes_per_template);
    if bursts.is_empty() {
        return Vec::new();
    }
    let mut err_series = Series::default();
    for l in [Level::Error, Level::Fatal] {
        if let Some(s) = sum.level_series.get(l.index()) {
            err_series.merge(s);
        }
    }
    let base = baseline.and_then(|(s, _)| Ctx::new(s, cfg));
    let base_series = base.as_ref().map(|b| {
        let mut s = Series::default();
        for l in [Level::Error, Level::Fatal] {
            if let Some(x) = b.sum.level_series.get(l.index()) {
                s.merge(x);
            }
        }
        s
    });
    let mut out = Vec::new();
    for b in bursts {
        let loc = locate(&ctx, &err_series, &own, &w, &sc, b);
        let mut ecfg = cfg.clone();
        ecfg.spike = cfg.error_rate;
        if let (Some(bc), Some(bs)) = (&base, &base_series) {
            if similar_in_baseline(&ctx, &err_series, &loc, bc, bs, &ecfg).is_some() {
                continue;
            }
        }
        let mut f = spike_finding(&ctx, &own, &sc, &loc, FindingKind::ErrorRateSpike);
        let total_in: u64 = ctx.all[b.start..b.end].iter().sum();
        f.details.insert(
            "error_share_in_burst".into(),
            json_f64(b.count as f64 / total_in.max(1) as f64),
        );
        // Which templates the extra errors come from: each template's error events in the
        // window, or for a request-line template (access logs, whose lines carry no level)
        // its routes' failing requests there.
        let end = loc.end.unwrap_or(i64::MAX);
        let mut contrib: Vec<(u64, &TemplateStats)> = Vec::new();
        for t in templates.list.iter().filter(|t| t.errors() > 0) {
            let errors = count_between(&t.error_series, sum.resolution_ms, loc.onset, end);
            let n = match request_line_method(t) {
                Some(method) if t.errors() + t.untimed < t.count => {
                    let all = count_between(&t.series, sum.resolution_ms, loc.onset, end);
                    route_failures(sum, method, loc.onset, end)
                        .iter()
                        .map(|(n, _)| n)
                        .sum::<u64>()
                        .min(all)
                        .max(errors)
                }
                _ => errors,
            };
            if n > 0 {
                contrib.push((n, t));
            }
        }
        contrib.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
        let top: Vec<serde_json::Value> = contrib
            .iter()
            .take(5)
            .map(|(n, t)| serde_json::json!({"id": t.id, "template": t.text, "count": n}))
            .collect();
        let in_window = |e: &&crate::summary::Example| {
            e.time
                .is_some_and(|t| t >= loc.onset && t < loc.end.unwrap_or(i64::MAX))
        };
        for (_, t) in contrib.iter().take(3) {
            // An error from inside the burst where the kept examples reach one.
            let window = Some((loc.onset, loc.end));
            // Only an error: a template's kept examples may all be its successes (an access
            // log's `GET <PATH>` line with status 200 is no evidence of an error rate).
            if let Some(e) = t
                .evidence(Some(Level::Error), window)
                .into_iter()
                .find(|e| e.level.is_some_and(|l| l >= Level::Error))
            {
                f.examples.push(e);
            }
        }
        // Name the cause when one template carries most of the burst's errors.
        if let Some((n, t)) = contrib.first() {
            if *n as f64 >= 0.5 * f.count.max(1) as f64 {
                f.template = Some(t.text.clone());
                f.template_id = Some(t.id.clone());
            }
        }
        f.details.insert("top_templates".into(), top.into());
        // A request-line template (`GET <PATH> HTTP/<NUM>`) says nothing about where: name
        // the route that failed most in the window instead, with a failing request as evidence.
        let route = contrib
            .first()
            .and_then(|(n, t)| failing_route(sum, t, *n, loc.onset, end));
        if let Some(r) = route {
            f.route = Some(r.key());
            if let Some(e) = r.fail_examples.iter().find(in_window) {
                f.examples.insert(0, e.clone());
                f.examples.truncate(crate::summary::EXAMPLES_PER_SIG);
            }
        }
        let cause = contrib.first().map_or(String::new(), |(n, t)| {
            let name = match route {
                Some(r) => format!("{} requests", r.key()),
                None => crate::report::template_title(t, 80),
            };
            if 2 * n >= f.count {
                format!(", mostly {name}")
            } else {
                format!(", the largest share ({n}) from {name}")
            }
        });
        f.title = format!(
            "Error rate ×{}: {} errors{cause}",
            fmt_factor(f.factor),
            f.count,
        );
        f.rescore(Some(Level::Error));
        out.push(f);
    }
    out
}

/// The method of a request-line template (`GET <PATH> HTTP/<NUM>`: how access-log requests
/// template), which covers every path of that method.
fn request_line_method(t: &TemplateStats) -> Option<&str> {
    request_line(&t.text)
}

/// The method of a template that is an access log's request line, `METHOD <PATH> HTTP/<NUM>`
/// (the path a `<*>` when clustering merged paths of several shapes, `<URL>` for an absolute
/// request target as load balancers such as AWS ALB log it), or `METHOD <PATH>` as
/// W3C logs (IIS, CloudFront) write the request without its protocol.
pub fn request_line(text: &str) -> Option<&str> {
    let mut words = text.split(' ');
    let (Some(method), Some("<PATH>" | "<URL>" | "<*>"), None | Some("HTTP/<NUM>"), None) =
        (words.next(), words.next(), words.next(), words.next())
    else {
        return None;
    };
    (method.len() >= 3 && method.bytes().all(|b| b.is_ascii_uppercase())).then_some(method)
}

/// For a request-line template (`METHOD <PATH> HTTP/<NUM>`, as access logs template), the
/// route of that method with the most failing requests in `[from, to)`, if it holds at least
/// half of the template's `errors` there (else no one route is the cause).
fn failing_route<'a>(
    sum: &'a Summary,
    t: &TemplateStats,
    errors: u64,
    from: i64,
    to: i64,
) -> Option<&'a crate::endpoints::RouteStats> {
    route_failures(sum, request_line_method(t)?, from, to)
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .max_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.key().cmp(&a.1.key())))
        .filter(|(n, _)| 2 * n >= errors)
        .map(|(_, r)| r)
}

/// Failing requests in `[from, to)` of each route of `method` as access logs counted them: a
/// request-line template covers every path of its method in those logs, so its requests are
/// those routes' (the same requests in router or JSON logs are other events).
fn route_failures<'a>(
    sum: &'a Summary,
    method: &str,
    from: i64,
    to: i64,
) -> Vec<(u64, &'a crate::endpoints::RouteStats)> {
    // `""`: a route from a snapshot written before routes were kept per view.
    let access = |r: &crate::endpoints::RouteStats| {
        r.view.is_empty() || r.view == crate::record::Format::Access.as_str()
    };
    sum.endpoints
        .routes
        .iter()
        .filter(|r| r.method == method && access(r))
        .map(|r| {
            (
                count_between(&r.fail_series, sum.resolution_ms, from, to),
                &**r,
            )
        })
        .collect()
}

/// Events of `s` (kept at resolution `res`) in buckets starting in `[from, to)`.
pub fn count_between(s: &Series, res: i64, from: i64, to: i64) -> u64 {
    // The series is sorted by bucket: the range is found by two binary searches (this runs
    // once per new-template candidate, for each level).
    let inside = |b: i64| {
        let t = b.saturating_mul(res);
        (t >= from.div_euclid(res) * res, t < to)
    };
    let lo = s.0.partition_point(|&(b, _)| !inside(b).0);
    let hi = lo + s.0[lo..].partition_point(|&(b, _)| inside(b).1);
    s.0[lo..hi].iter().map(|&(_, c)| c).sum()
}

#[cfg(test)]
mod tests {
    use super::request_line;

    /// The binary searches count what a scan of every bucket counts.
    #[test]
    fn count_between_equals_a_scan() {
        use super::count_between;
        use crate::summary::series::Series;
        let s = Series((0..200).map(|i| (i * 3 - 90, (i % 7 + 1) as u64)).collect());
        let scan = |res: i64, from: i64, to: i64| -> u64 {
            s.0.iter()
                .filter(|&&(b, _)| b * res >= from.div_euclid(res) * res && b * res < to)
                .map(|&(_, c)| c)
                .sum()
        };
        for res in [1, 1000, 60_000] {
            for from in [-100_000_000, -95 * res - 1, 0, 17 * res + 5, 10_000 * res] {
                for to in [from, from + res, from + 50 * res + 3, i64::MAX] {
                    assert_eq!(
                        count_between(&s, res, from, to),
                        scan(res, from, to),
                        "{res} {from} {to}"
                    );
                }
            }
        }
    }

    #[test]
    fn request_line_templates() {
        assert_eq!(request_line("GET <PATH> HTTP/<NUM>"), Some("GET"));
        assert_eq!(request_line("POST <*> HTTP/<NUM>"), Some("POST"));
        assert_eq!(request_line("GET /health HTTP/<NUM>"), None);
        assert_eq!(request_line("GET <PATH> HTTP/<NUM> extra"), None);
        assert_eq!(request_line("Get <PATH> HTTP/<NUM>"), None);
        assert_eq!(request_line("DELETE <PATH>"), Some("DELETE"));
        assert_eq!(request_line("GET <URL> HTTP/<NUM>"), Some("GET"));
        assert_eq!(request_line("GET <PATH> <NUM>"), None);
        assert_eq!(request_line("GET"), None);
    }
}
