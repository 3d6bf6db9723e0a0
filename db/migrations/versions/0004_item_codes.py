"""item codes; the code printed on a receipt line's sheet; lots by lot number

Revision ID: 0004
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa
import db.types


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('item_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('code_key', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=40), nullable=False),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('ean13','oe','supplier','other')", name=op.f('ck_item_code_kind')),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_item_code_item_id_item')),
    sa.ForeignKeyConstraint(['supplier_id'], ['supplier.id'], name=op.f('fk_item_code_supplier_id_supplier')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_code')),
    sa.UniqueConstraint('code_key', name=op.f('uq_item_code_code_key'))
    )
    with op.batch_alter_table('item_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_code_item_id'), ['item_id'], unique=False)

    with op.batch_alter_table('receipt_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sheet_code', sa.String(length=60), server_default='',
                                      nullable=False))
    op.create_index('ix_lot_lot_no', 'lot', ['lot_no'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_lot_lot_no', table_name='lot')
    with op.batch_alter_table('receipt_line', schema=None) as batch_op:
        batch_op.drop_column('sheet_code')
    with op.batch_alter_table('item_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_code_item_id'))

    op.drop_table('item_code')
