"""Accounts of the coalition server (0012 -> 0013): organisations, users, tokens, logins,
owners, shares."""

import sqlalchemy as sa
from alembic import op

revision, down_revision, branch_labels, depends_on = "0013", "0012", None, None

_MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("created_at", _MOMENT, nullable=False),
    )
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column(
            "organisation_id", sa.Integer(), sa.ForeignKey("organisation.id"), nullable=False
        ),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", _MOMENT, nullable=False),
    )
    op.create_index("ix_app_user_organisation_id", "app_user", ["organisation_id"])
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=False),
        sa.Column("prefix", sa.String(12), nullable=False, unique=True),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("scope", sa.String(10), nullable=False),
        sa.Column("created_at", _MOMENT, nullable=False),
        *(sa.Column(name, _MOMENT, nullable=True) for name in ("expires_at", "revoked_at")),
        sa.Column("last_used_at", _MOMENT, nullable=True),
    )
    op.create_index("ix_api_token_user_id", "api_token", ["user_id"])
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("at", _MOMENT, nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("remote", sa.String(64), nullable=True),
    )
    op.create_index("ix_login_attempt_email_at", "login_attempt", ["email", "at"])
    op.create_table(
        "ownership",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column(
            "organisation_id", sa.Integer(), sa.ForeignKey("organisation.id"), nullable=False
        ),
        sa.UniqueConstraint("kind", "key"),
    )
    op.create_index("ix_ownership_organisation_id", "ownership", ["organisation_id"])
    op.create_table(
        "case_share",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "organisation_id", sa.Integer(), sa.ForeignKey("organisation.id"), nullable=False
        ),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("shared_at", _MOMENT, nullable=False),
        sa.Column("shared_by", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=False),
        sa.UniqueConstraint("case_id", "organisation_id"),
    )
    op.create_index("ix_case_share_case_id", "case_share", ["case_id"])


def downgrade() -> None:
    op.drop_table("case_share")
    op.drop_table("ownership")
    op.drop_table("login_attempt")
    op.drop_table("api_token")
    op.drop_table("app_user")
    op.drop_table("organisation")
