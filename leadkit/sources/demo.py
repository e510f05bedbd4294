"""A deterministic synthetic repair-shop company, RemOnline-like, of any size.

Seeded: the same ``rows``, ``seed``, dates and language give the same table, byte for
byte. Vectorised with numpy, so ten million leads take seconds, not minutes.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from leadkit.model import NOT_SET, UNASSIGNED

NAMES = {
    "en": {
        "types": ["Call", "Walk-in", "Website", "Messenger", "Referral", "Instagram"],
        "managers": [
            "Olivia Brown", "Liam Carter", "Emma Davis", "Noah Evans", "Ava Foster",
            "Mason Green", "Sophia Hughes", "Lucas Irwin", "Mia Jensen", "Ethan King",
            "Isla Lewis", "Oscar Moore",
        ],
        "branches": ["Central", "North", "Riverside"],
        "open": ["New lead", "In work", "Waiting for client"],
        "won": ["Successful order", "Successful sale"],
        "lost": ["Expensive", "Too long", "Slow reply", "Canceled", "Mishandling", "Lost"],
        "campaigns": ["Google Ads — repair", "Spring discount", "Flyers"],
        "first": ["Anna", "John", "Maria", "Peter", "Kate", "Alex", "Irene", "Tom"],
        "last": ["Smith", "Novak", "Garcia", "Miller", "Wilson", "Taylor", "Clark"],
    },
    "ru": {
        "types": ["Звонок", "Визит", "Сайт", "Мессенджер", "Рекомендация", "Instagram"],
        "managers": [
            "Анна Коваленко", "Борис Петров", "Виктория Смирнова", "Глеб Иванов",
            "Дарья Соколова", "Егор Морозов", "Жанна Волкова", "Илья Лебедев",
            "Ксения Новикова", "Леонид Козлов", "Мария Павлова", "Никита Орлов",
        ],
        "branches": ["Центр", "Север", "Левый берег"],
        "open": ["Новое обращение", "В работе", "Ожидание клиента"],
        "won": ["Успешный заказ", "Успешная продажа"],
        "lost": [
            "Дорого", "Долго", "Медленный ответ", "Отменено", "Некачественная обработка", "Закрыто неуспешно",
        ],
        "campaigns": ["Контекстная реклама", "Весенняя скидка", "Листовки"],
        "first": ["Анна", "Иван", "Мария", "Пётр", "Екатерина", "Алексей", "Ирина", "Олег"],
        "last": ["Шевченко", "Новак", "Бондаренко", "Мельник", "Ткаченко", "Кравец", "Олейник"],
    },
}  # fmt: skip
TYPE_SHARE = np.array([0.30, 0.20, 0.22, 0.15, 0.08, 0.05])
# A real change for a report to find: from December 2025 the website's form breaks — its leads convert half as
# often, and most of the lost ones are lost to a slow reply.
WEBSITE, SLOW_REPLY = 2, 2
CHANGE_FROM = date(2025, 12, 1)
TYPE_WIN = np.array([0.42, 0.58, 0.28, 0.33, 0.55, 0.18])
LOST_SHARE = np.array([0.30, 0.18, 0.14, 0.20, 0.08, 0.10])


def status_results(names: str) -> dict[str, str]:
    """Won statuses that say how a lead without an order/sale id was converted."""
    won = NAMES[names]["won"]
    return {won[0]: "order", won[1]: "sale"}


def _created(rng: np.random.Generator, n: int, start: date, end: date) -> np.ndarray:
    days = pd.date_range(start, end, freq="D")
    season = 1 + 0.3 * np.sin(2 * np.pi * (days.month.to_numpy() - 3) / 12)
    weekday = np.where(days.day_of_week.to_numpy() >= 5, 0.55, 1.0)
    weight = season * weekday
    day = rng.choice(len(days), size=n, p=weight / weight.sum())
    seconds = rng.integers(9 * 3600, 20 * 3600, size=n)
    base = np.datetime64(start, "s")
    stamps = base + day.astype("timedelta64[D]") + seconds.astype("timedelta64[s]")
    return np.sort(stamps).astype("datetime64[us]")


def _categorical(codes: np.ndarray, labels: list[str]) -> pd.Categorical[str]:
    return pd.Categorical.from_codes(codes.astype("int64"), categories=pd.Index(labels))


def _pick(rng: np.random.Generator, n: int, share: np.ndarray) -> np.ndarray:
    return rng.choice(len(share), size=n, p=share / share.sum())


def _ids(prefix: str, mask: np.ndarray) -> pd.Series:
    numbers = np.cumsum(mask)
    ids = pd.Series(prefix + pd.Series(numbers).astype(str), dtype="string")
    return ids.where(mask)


def generate(rows: int, seed: int, start: date, end: date, names: str = "en") -> pd.DataFrame:
    """``rows`` leads created between ``start`` and ``end``; the report date is ``end``."""
    words = NAMES[names]
    rng = np.random.default_rng(seed)
    n = rows
    created = _created(rng, n, start, end)
    ltype = _pick(rng, n, TYPE_SHARE)
    share = np.r_[np.linspace(1.4, 0.7, 11), 0.004]  # the twelfth manager gets very few leads
    manager = _pick(rng, n, share)
    skill = np.linspace(1.25, 0.75, 12)[manager]
    p_win = np.clip(TYPE_WIN[ltype] * skill, 0.02, 0.95)
    broken = (ltype == WEBSITE) & (created >= np.datetime64(CHANGE_FROM, "us"))
    p_win = np.where(broken, p_win / 2, p_win)
    won = rng.random(n) < p_win
    delay_days = rng.lognormal(mean=1.0, sigma=1.0, size=n) * np.where(won, 1.0, 1.6)
    closed = created + (delay_days * 86400e6).astype("timedelta64[us]")
    as_of = np.datetime64(end + timedelta(days=1), "us")
    still_open = closed >= as_of
    age_days = (as_of - created).astype("timedelta64[h]").astype(int) / 24
    open_state = np.where(age_days < 2, 0, np.where(rng.random(n) < 0.3, 2, 1))
    won &= ~still_open
    lost = ~won & ~still_open
    # How a won lead was converted: 0 order, 1 sale, 2 both, 3 no id (placed by status).
    how = _pick(rng, n, np.array([0.60, 0.28, 0.08, 0.04]))
    has_order, has_sale = won & ((how == 0) | (how == 2)), won & ((how == 1) | (how == 2))
    placed_by_status = won & (how == 3)
    status_code = np.where(still_open, open_state, 0)
    status_code = np.where(won, 3 + ((how == 1) | (placed_by_status & (rng.random(n) < 0.4))), status_code)
    reason = np.where(broken & (rng.random(n) < 0.6), SLOW_REPLY, _pick(rng, n, LOST_SHARE))
    status_code = np.where(lost, 5 + reason, status_code)
    statuses = words["open"] + words["won"] + words["lost"]
    group_code = np.select(
        [still_open & (open_state == 0), still_open & (open_state == 1), still_open, won], [0, 1, 2, 3], 4
    )
    frame = pd.DataFrame(
        {
            "lead_id": pd.Series(np.arange(100001, 100001 + n)).astype(str).astype("string"),
            "created_at": created,
            "closed_at": pd.Series(closed).where(~still_open),
            "lead_type": _categorical(np.where(rng.random(n) < 0.01, -1, ltype), words["types"]),
            "status": _categorical(status_code, statuses),
            "status_group": _categorical(group_code, ["new", "in_progress", "pending", "won", "lost"]),
            "manager": _categorical(np.where(rng.random(n) < 0.015, -1, manager), words["managers"]),
            "branch": _categorical(_pick(rng, n, np.array([0.5, 0.3, 0.2])), words["branches"]),
            "ad_campaign": _categorical(_pick(rng, n, np.array([0.2, 0.1, 0.1, 0.6])), [*words["campaigns"], NOT_SET]),
            "client": _client_names(rng, n, words["first"], words["last"]),
            "order_id": _ids("O-", has_order),
            "sale_id": _ids("S-", has_sale),
        }
    )  # fmt: skip
    frame["lead_type"] = frame["lead_type"].cat.add_categories(NOT_SET).fillna(NOT_SET)
    frame["manager"] = frame["manager"].cat.add_categories(UNASSIGNED).fillna(UNASSIGNED)
    frame["converted"] = pd.array([pd.NA] * n, dtype="boolean")
    results = status_results(names)
    frame["status_result"] = frame["status"].map(results).astype("string")
    return frame


def _client_names(rng: np.random.Generator, n: int, first: list[str], last: list[str]) -> pd.Categorical[str]:
    labels = [f"{f} {s}" for f in first for s in last]
    codes = rng.integers(0, len(labels), size=n)
    return _categorical(np.where(rng.random(n) < 0.1, -1, codes), labels)
