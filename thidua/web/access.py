"""Who is looking: an account (or this machine when no account exists) and what it may see."""

from __future__ import annotations

from dataclasses import dataclass

from thidua.base.config import ROLE_ADMIN, ROLE_PROVINCE, WebUser
from thidua.base.textfold import fold


@dataclass(frozen=True)
class Viewer:
    """The person behind a request; `local` when no account exists and only this machine is served."""

    name: str
    role: str
    province: str = ""
    local: bool = False

    @classmethod
    def of(cls, user: WebUser) -> Viewer:
        return cls(user.name, user.role, user.province)

    @property
    def is_admin(self) -> bool:
        return self.role == ROLE_ADMIN

    @property
    def shown_name(self) -> str:
        if self.local:
            return "Máy này (chưa có tài khoản)"
        return self.name if self.is_admin else f"{self.name} ({self.province})"

    def may_see_province(self, province: str | None) -> bool:
        """Admin: every province; a province account: its own (names compared as the workbook's labels)."""
        if self.is_admin:
            return True
        return self.role == ROLE_PROVINCE and bool(province) and fold(str(province)) == fold(self.province)

    def may_see_file(self, province: str | None, uploaded_by_provinces: list[str]) -> bool:
        """A processed file is the province's it reports on, or (without one: unreadable, data issues) the
        province of the account that uploaded it."""
        if self.is_admin:
            return True
        if province:
            return self.may_see_province(province)
        return any(self.may_see_province(p) for p in uploaded_by_provinces)


LOCAL = Viewer("", ROLE_ADMIN, local=True)
