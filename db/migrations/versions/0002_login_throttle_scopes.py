"""login throttle per username, per client address and overall

Revision ID: 0002
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa
import db.types


revision = '0002'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The old rows are transient failure counts: nothing worth carrying over.
    op.drop_table('login_throttle')
    op.create_table('login_throttle',
    sa.Column('scope', sa.String(length=8), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('blocked_until', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'key', name=op.f('pk_login_throttle'))
    )


def downgrade() -> None:
    op.drop_table('login_throttle')
    op.create_table('login_throttle',
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('username', name=op.f('pk_login_throttle'))
    )
