"""user home warehouse

Revision ID: 0002a
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0002a'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('home_warehouse_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_app_user_home_warehouse_id_warehouse'),
                                    'warehouse', ['home_warehouse_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_app_user_home_warehouse_id_warehouse'),
                                 type_='foreignkey')
        batch_op.drop_column('home_warehouse_id')
