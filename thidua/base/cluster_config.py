"""The [cluster] settings checked as a whole: members, chair, awards, tie-breakers and contacts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from thidua.base.errors import ConfigError
from thidua.base.textfold import fold

TIE_BREAKERS = ("met", "key_bonus", "deductions")
_EMAIL = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+")
_PROVINCE_PREFIX = re.compile(r"^(tỉnh|thành phố|tp\.?)\s+")


def province_key(name: str) -> str:
    """The one matching rule for province names: folded text, "Tỉnh"/"Thành phố" in front ignored
    ("Tỉnh Bến Tre" = "bến tre")."""
    return _PROVINCE_PREFIX.sub("", fold(name or "")).strip()


@dataclass(frozen=True)
class Award:
    """One award of the cluster, given to `count` places in rank order."""

    name: str
    count: int


@dataclass(frozen=True)
class Contact:
    """Who receives the cluster report for one province."""

    province: str
    name: str
    email: str


@dataclass(frozen=True)
class ClusterSettings:
    """What [cluster] says once validated; `members` keep their configured spelling."""

    name: str = ""
    members: tuple[str, ...] = ()
    chair: str = ""
    awards: tuple[Award, ...] = ()
    tie_breakers: tuple[str, ...] = TIE_BREAKERS
    contacts: tuple[Contact, ...] = ()
    auto: bool = True
    document: dict[str, Any] = field(default_factory=dict)  # the report's document fields as configured

    @property
    def configured(self) -> bool:
        """True when there is a cluster to rank: a name or a member list."""
        return bool(self.name or self.members)

    @property
    def rebuilds(self) -> bool:
        """Batch and watch rebuild the cluster report only for a cluster with a member list."""
        return self.auto and bool(self.members)

    def member(self, province: str) -> str | None:
        """The configured spelling of `province` when it is a member, else None."""
        key = province_key(province)
        return next((m for m in self.members if province_key(m) == key), None)

    def names_cluster(self, cluster: str) -> bool:
        """True when a workbook's `Cụm thi đua` is this cluster (same folding as headers)."""
        return bool(self.name) and fold(cluster or "") == fold(self.name)


def _table_list(raw: Any, what: str, keys: tuple[str, ...], where: str) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise ConfigError(f"{where}: \"{what}\" phải là danh sách các bảng [[{what}]].")
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise ConfigError(f"{where}: [[{what}]] thứ {i} phải là một bảng ({', '.join(keys)}).")
        unknown = set(item) - set(keys)
        if unknown:
            raise ConfigError(f"{where}: [[{what}]] thứ {i} có khóa không biết: {', '.join(sorted(unknown))}.")
        for key in keys:
            if key != "count" and (not isinstance(item.get(key), str) or not item[key].strip()):
                raise ConfigError(f"{where}: [[{what}]] thứ {i} thiếu \"{key}\" (chuỗi không trống).")
    return raw


def _members(raw: list[Any], where: str) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for i, name in enumerate(raw, start=1):
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"{where}: \"cluster.members\" mục thứ {i} phải là tên một tỉnh (chuỗi không trống).")
        key = province_key(name)
        if key in seen:
            raise ConfigError(f"{where}: \"cluster.members\" có \"{name.strip()}\" trùng với \"{seen[key]}\".")
        seen[key] = name.strip()
    return tuple(seen.values())


def _awards(raw: Any, where: str) -> tuple[Award, ...]:
    out = []
    for i, item in enumerate(_table_list(raw, "cluster.awards", ("name", "count"), where), start=1):
        count = item.get("count")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ConfigError(f"{where}: [[cluster.awards]] thứ {i} ({item['name'].strip()}): \"count\" phải là số "
                              f"nguyên từ 1 trở lên (số tỉnh được đề nghị), nhận được {count!r}.")
        out.append(Award(item["name"].strip(), count))
    return tuple(out)


def _tie_breakers(raw: list[Any], where: str) -> tuple[str, ...]:
    for value in raw:
        if value not in TIE_BREAKERS:
            raise ConfigError(f"{where}: \"cluster.tie_breakers\" có \"{value}\"; chỉ dùng được: "
                              + ", ".join(TIE_BREAKERS) + ".")
    if len(set(raw)) != len(raw):
        raise ConfigError(f"{where}: \"cluster.tie_breakers\" có mục bị lặp: {raw!r}.")
    return tuple(raw)


def _contacts(raw: Any, members: tuple[str, ...], where: str) -> tuple[Contact, ...]:
    out = []
    keys = {province_key(m): m for m in members}
    for i, item in enumerate(_table_list(raw, "cluster.contacts", ("province", "name", "email"), where), start=1):
        province, name, email = (item[k].strip() for k in ("province", "name", "email"))
        if not _EMAIL.fullmatch(email):
            raise ConfigError(f"{where}: [[cluster.contacts]] thứ {i} ({name}) có địa chỉ email không hợp lệ: \"{email}\".")
        if members and province_key(province) not in keys:
            raise ConfigError(f"{where}: [[cluster.contacts]] thứ {i} ({name}): tỉnh \"{province}\" không có trong "
                              "\"cluster.members\".", hint="Sửa tên tỉnh cho đúng như trong danh sách thành viên.")
        out.append(Contact(keys.get(province_key(province), province), name, email))
    return tuple(out)


def parse_cluster(values: dict[str, Any], where: str) -> ClusterSettings:
    """Check the [cluster] values together (types were checked against the settings table already)."""
    section = {k[len("cluster."):]: v for k, v in values.items() if k.startswith("cluster.")}
    members = _members(section["members"], where)
    chair = section["chair"].strip()
    if chair and members and not any(province_key(chair) == province_key(m) for m in members):
        raise ConfigError(f"{where}: \"cluster.chair\" = \"{chair}\" không có trong \"cluster.members\".")
    recipients = section["recipients"]
    if not all(isinstance(r, str) and r.strip() for r in recipients):
        raise ConfigError(f"{where}: \"cluster.recipients\" phải là danh sách chuỗi, mỗi nơi nhận một chuỗi.")
    document = {k: section[k] for k in ("parent_agency", "agency", "doc_number", "place", "report_date",
                                         "signing_authority", "signer_title", "signer", "recipients")}
    return ClusterSettings(
        name=section["name"].strip(), members=members,
        chair=next((m for m in members if province_key(m) == province_key(chair)), chair),
        awards=_awards(section["awards"], where), tie_breakers=_tie_breakers(section["tie_breakers"], where),
        contacts=_contacts(section["contacts"], members, where), auto=bool(section["auto"]), document=document,
    )
