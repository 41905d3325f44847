"""The load report: locust's statistics per scenario against the thresholds."""

from tests.load.run import SCENARIOS, read_stats, report, warmup_summary

HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,"
    "Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,"
    "99.99%,100%"
)


def stats_file(tmp_path, rows):
    lines = [HEADER]
    for name, count, failures, p50, p95, p99 in rows:
        lines.append(
            f"POST,{name},{count},{failures},{p50},{p50},1,{p99},100,2.5,0,{p50},{p50},{p50},{p50},{p95},{p95},"
            f"{p99},{p99},{p99},{p99},{p99}"
        )
    lines.append("Aggregated,Aggregated,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0")
    path = tmp_path / "load_stats.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_every_scenario_under_the_thresholds_holds(tmp_path):
    results = read_stats(stats_file(tmp_path, [(name, 200, 1, 40, 120, 300) for name in SCENARIOS]))

    table, held = report(results, p95_ms=500, max_error_rate=0.01)

    assert held
    assert all(name in table for name in SCENARIOS)
    assert "p50 ms" in table and "p99 ms" in table


def test_a_slow_p95_or_too_many_errors_or_a_silent_scenario_is_a_breach(tmp_path):
    rows = [(name, 200, 0, 40, 120, 300) for name in SCENARIOS[2:]]
    rows[0] = (SCENARIOS[2], 200, 0, 40, 900, 1200)
    rows.append((SCENARIOS[1], 100, 2, 40, 120, 300))
    results = read_stats(stats_file(tmp_path, rows))

    table, held = report(results, p95_ms=500, max_error_rate=0.01)

    assert not held
    assert "p95 900 ms > 500 ms" in table
    assert "errors 2.00% > 1.00%" in table
    assert "no requests" in table  # agent registration made none


def test_the_warm_up_is_judged_by_its_errors_only(tmp_path):
    slow = stats_file(tmp_path, [(name, 100, 0, 40, 3000, 5000) for name in SCENARIOS])
    line, held = warmup_summary(slow, max_error_rate=0.01)
    assert held and line.startswith("warm-up: 500 requests, 0 failed")

    failing = stats_file(tmp_path, [(name, 100, 2, 40, 120, 300) for name in SCENARIOS])
    line, held = warmup_summary(failing, max_error_rate=0.01)
    assert not held and line.endswith("BREACHED")

    line, held = warmup_summary(tmp_path / "missing.csv", max_error_rate=0.01)
    assert not held
