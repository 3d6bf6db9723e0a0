"""a stocktake's scope (one warehouse, or '' for every zone): a month may have one
live stocktake per warehouse instead of one in all

Revision ID: 0007
Revises: 0002a
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0002a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('stocktake') as batch:
        batch.add_column(sa.Column('scope', sa.String(length=20), server_default='',
                                   nullable=False))
        batch.drop_constraint(batch.f('uq_stocktake_open_period'), type_='unique')
        batch.create_unique_constraint(batch.f('uq_stocktake_open_period_scope'),
                                       ['open_period', 'scope'])


def downgrade() -> None:
    with op.batch_alter_table('stocktake') as batch:
        batch.drop_constraint(batch.f('uq_stocktake_open_period_scope'), type_='unique')
        batch.create_unique_constraint(batch.f('uq_stocktake_open_period'), ['open_period'])
        batch.drop_column('scope')
