"""Generate the bundled example centre's CSV files (deterministic; the outputs are committed).

    python data/generate_example.py            # rewrites data/example/{agents,history,events}.csv
    python data/generate_example.py OUT_DIR    # writes them into OUT_DIR instead

``centre.toml`` is written by hand; this script reads it through the product's own loader,
so the history follows the line hours, the Chinese holidays and make-up working days, and
the 07:00-02:00 peak days it declares. The model behind the numbers, per line and hour:

    contacts ~ NegBin(mean = level(day) x weekly(weekday) x special(day) x peak(day) x
                             intraday(hour | kind of day) x day_noise, dispersion THETA)

- level: a slow trend (+1.2% a month) with a mild annual wave;
- weekly: Monday busiest, weekend quieter (the hotline is closed at weekends);
- special: public holidays (Spring Festival much quieter), the working day after a holiday
  block busier (backlog) on the hotline;
- peak: around each campaign day c a pre-heat ramp, the eve, the day itself, and a tail;
  the window's online contacts equal the peak's contacts-per-traffic ratio (different for
  each peak) times its traffic, which is what events.csv records as that peak's traffic;
- intraday: a normal-day profile (lunch dip, evening high) and a peak-day profile over
  07:00-02:00 (opening backlog, heavy evening, a midnight rush before the line closes);
- noise: a day-level lognormal factor and negative-binomial hourly counts (overdispersed).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from staffing.calendar import centre_calendar, date_range, service_windows  # noqa: E402
from staffing.centre import load_centre  # noqa: E402

SEED = 20260818
THETA = 40.0  # negative-binomial dispersion: variance = mean + mean^2 / THETA
FIRST_DAY = dt.date(2025, 3, 1)
LAST_DAY = dt.date(2026, 7, 31)
EXAMPLE = HERE / "example"


@dataclass(frozen=True)
class Peak:
    name: str
    start: dt.date
    end: dt.date
    day: dt.date
    height: float          # multiplier on the campaign day
    ratio: float | None    # contacts per unit of traffic (None: the coming campaign)


PEAKS = (
    Peak("418-2025", dt.date(2025, 4, 8), dt.date(2025, 4, 20), dt.date(2025, 4, 18), 3.4, 0.0042),
    Peak("618-2025", dt.date(2025, 5, 31), dt.date(2025, 6, 20), dt.date(2025, 6, 18), 4.3, 0.0035),
    Peak("818-2025", dt.date(2025, 8, 8), dt.date(2025, 8, 20), dt.date(2025, 8, 18), 3.9, 0.0040),
    Peak("1111-2025", dt.date(2025, 10, 20), dt.date(2025, 11, 13), dt.date(2025, 11, 11), 5.0, 0.0030),
    Peak("1212-2025", dt.date(2025, 12, 5), dt.date(2025, 12, 14), dt.date(2025, 12, 12), 3.2, 0.0046),
    Peak("418-2026", dt.date(2026, 4, 8), dt.date(2026, 4, 20), dt.date(2026, 4, 18), 3.6, 0.0041),
    Peak("618-2026", dt.date(2026, 5, 31), dt.date(2026, 6, 20), dt.date(2026, 6, 18), 4.5, 0.0034),
)
COMING = Peak("818-2026", dt.date(2026, 8, 8), dt.date(2026, 8, 20), dt.date(2026, 8, 18), 4.2, None)
COMING_TRAFFIC_GROWTH = 1.25  # the campaign's traffic target over last year's 818

BASE = {"online": 1350.0, "hotline": 180.0}
WEEKLY = {"online": (1.08, 1.04, 1.00, 0.98, 0.96, 0.94, 1.00),
          "hotline": (1.15, 1.05, 1.00, 0.97, 0.93, 0.90, 0.90)}
PEAK_SHARE = {"online": 1.0, "hotline": 0.3}  # how much of the uplift reaches each line

# Hourly weights by hour of the clock (0-23); only the line's open hours are used.
NORMAL_ONLINE = {9: 5.5, 10: 7.5, 11: 8.0, 12: 6.0, 13: 6.5, 14: 7.5, 15: 7.8, 16: 7.5, 17: 6.5,
                 18: 6.0, 19: 7.0, 20: 8.5, 21: 9.0, 22: 6.7}
PEAK_ONLINE = {7: 7.0, 8: 4.5, 9: 4.8, 10: 5.0, 11: 5.2, 12: 4.6, 13: 4.8, 14: 5.0, 15: 5.0, 16: 4.8,
               17: 4.8, 18: 5.2, 19: 6.0, 20: 7.2, 21: 8.0, 22: 8.5, 23: 8.0, 0: 7.5, 1: 4.5}
HOTLINE = {9: 14.0, 10: 15.5, 11: 13.0, 12: 9.0, 13: 11.0, 14: 14.0, 15: 13.0, 16: 10.5}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉玲宇浩凯健俊帆雪琳晨欣怡婷"
TEAMS = {"H1": ("hotline", 5), "H2": ("hotline", 5), "O1": ("online", 7), "O2": ("online", 7),
         "O3": ("online", 7), "O4": ("online", 7), "O5": ("online", 6)}


def peak_shape(peak: Peak, day: dt.date) -> float:
    """Multiplier on the normal level for a day of a peak window (1 outside it)."""
    if not peak.start <= day <= peak.end:
        return 1.0
    rel = (day - peak.day).days
    if rel == 0:
        return peak.height
    if rel == -1:
        return 1.0 + 0.33 * (peak.height - 1.0)
    if rel < -1:
        span = max((peak.day - peak.start).days - 1, 1)
        position = (rel + (peak.day - peak.start).days) / span  # 0 at the window start, ~1 at c-2
        return 1.12 + 0.45 * position
    return {1: 1.9, 2: 1.35}.get(rel, 1.15)


def special(line: str, day: dt.date, calendar) -> float:
    name = calendar.holiday_name(day)
    if calendar.is_holiday(day):
        return 0.45 if name == "Spring Festival" else 0.78
    yesterday = day - dt.timedelta(days=1)
    if line == "hotline" and calendar.is_working_day(day) and calendar.is_holiday(yesterday):
        return 1.3
    return 1.0


def level(line: str, day: dt.date) -> float:
    months = (day - FIRST_DAY).days / 30.44
    wave = 1.0 + 0.06 * math.sin(2 * math.pi * (day.timetuple().tm_yday - 60) / 365.25)
    return BASE[line] * (1.0 + 0.012 * months) * wave * WEEKLY[line][day.weekday()]


def hourly_weights(line: str, starts: list[dt.datetime], peak_day: bool, eve: bool) -> np.ndarray:
    table = HOTLINE if line == "hotline" else PEAK_ONLINE if peak_day else NORMAL_ONLINE
    weights = np.array([table.get(s.hour, 2.0) for s in starts])
    if eve:
        weights *= np.array([1.35 if s.hour >= 20 else 1.0 for s in starts])
    return weights / weights.sum()


def generate(out: Path = EXAMPLE) -> None:
    rng = np.random.default_rng(SEED)
    write_agents(rng, out)
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("centre.toml", "agents.csv"):
            shutil.copy((EXAMPLE if name == "centre.toml" else out) / name, Path(tmp) / name)
        centre = load_centre(tmp)
    calendar = centre_calendar(centre)
    campaign_days = {p.day for p in PEAKS}
    rows: list[tuple[str, dt.datetime, int]] = []
    window_contacts = {p.name: 0 for p in PEAKS}
    for line_id in ("hotline", "online"):
        line = centre.lines[line_id]
        counts: dict[dt.datetime, int] = {}
        for day in date_range(FIRST_DAY, LAST_DAY):
            starts = [s for start, end in service_windows(line, day, calendar)
                      for s in hour_starts(start, end)]
            if not starts:
                continue
            shape = max(peak_shape(p, day) for p in PEAKS)
            uplift = 1.0 + PEAK_SHARE[line_id] * (shape - 1.0)
            mean_day = level(line_id, day) * special(line_id, day, calendar) * uplift
            mean_day *= rng.lognormal(0.0, 0.05)
            weights = hourly_weights(line_id, starts, day in campaign_days,
                                     day + dt.timedelta(days=1) in campaign_days)
            means = mean_day * weights
            draws = rng.negative_binomial(THETA, THETA / (THETA + means))
            for start, value in zip(starts, draws):
                counts[start] = int(value)
                if line_id == "online":
                    for p in PEAKS:
                        if p.start <= day <= p.end:
                            window_contacts[p.name] += int(value)
        hour = dt.datetime.combine(FIRST_DAY, dt.time())
        end = dt.datetime.combine(LAST_DAY + dt.timedelta(days=1), dt.time())
        while hour < end:
            rows.append((line_id, hour, counts.get(hour, 0)))
            hour += dt.timedelta(hours=1)
    write_history(rows, out)
    write_events(window_contacts, out)


def hour_starts(start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    out = []
    while start < end:
        out.append(start)
        start += dt.timedelta(hours=1)
    return out


def write_agents(rng: np.random.Generator, out: Path) -> None:
    used: set[str] = set()
    rows = []
    number = 1001
    for team, (line, size) in TEAMS.items():
        for _ in range(size):
            while True:
                name = rng.choice(list(SURNAMES)) + "".join(rng.choice(list(GIVEN), size=rng.integers(1, 3)))
                if name not in used:
                    used.add(name)
                    break
            rows.append({"agent": f"E{number}", "name": name, "team": team, "line": line,
                         "skills": "", "contract_hours": "40", "start_date": "", "end_date": ""})
            number += 1
    rows[0]["skills"] = "online"          # a hotline senior who can also take chats
    rows[4]["skills"] = "online"
    rows[-1]["start_date"] = "2026-07-27"  # a new hire, on board before the peak
    rows[-8]["end_date"] = "2026-08-31"    # resigned with a month's notice
    write_csv(out / "agents.csv", list(rows[0]), [list(r.values()) for r in rows])


def write_history(rows: list[tuple[str, dt.datetime, int]], out: Path) -> None:
    write_csv(out / "history.csv", ["line", "start", "contacts"],
              [[line, start.isoformat(timespec="minutes"), value] for line, start, value in rows])


def write_events(window_contacts: dict[str, int], out: Path) -> None:
    rows = []
    for p in PEAKS:
        traffic = round(window_contacts[p.name] / p.ratio, -3)
        rows.append([p.name, p.start, p.end, p.day, int(traffic)])
    last = next(r for r in rows if r[0] == "818-2025")
    target = round(last[4] * COMING_TRAFFIC_GROWTH, -4)
    rows.append([COMING.name, COMING.start, COMING.end, COMING.day, int(target)])
    write_csv(out / "events.csv", ["name", "start", "end", "day", "traffic"], rows)


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


if __name__ == "__main__":
    generate(Path(sys.argv[1]) if len(sys.argv) > 1 else EXAMPLE)
