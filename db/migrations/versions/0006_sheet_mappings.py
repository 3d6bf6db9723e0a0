"""sheet mappings per supplier, supplier price basis, delivery date and mismatch
reason on receipts, remarks on receipt lines

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa
import db.types


revision = '0006'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sheet_mapping',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('signature', sa.String(length=16), nullable=False),
    sa.Column('header_row', sa.Integer(), nullable=False),
    sa.Column('header_text', sa.Text(), nullable=False),
    sa.Column('columns', sa.JSON(), nullable=False),
    sa.Column('updated_by', sa.String(length=40), nullable=False),
    sa.Column('updated_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['supplier_id'], ['supplier.id'], name=op.f('fk_sheet_mapping_supplier_id_supplier')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sheet_mapping')),
    sa.UniqueConstraint('supplier_id', 'signature', name=op.f('uq_sheet_mapping_supplier_id_signature'))
    )
    op.create_index(op.f('ix_sheet_mapping_supplier_id'), 'sheet_mapping', ['supplier_id'], unique=False)
    with op.batch_alter_table('supplier') as batch:
        batch.add_column(sa.Column('price_basis', sa.String(length=10), server_default='incl_tax', nullable=False))
    with op.batch_alter_table('receipt') as batch:
        batch.add_column(sa.Column('delivery_date', sa.Date(), nullable=True))
        batch.add_column(sa.Column('mismatch_reason', sa.String(length=200), server_default='', nullable=False))
    with op.batch_alter_table('receipt_line') as batch:
        batch.add_column(sa.Column('remark', sa.String(length=200), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('receipt_line') as batch:
        batch.drop_column('remark')
    with op.batch_alter_table('receipt') as batch:
        batch.drop_column('mismatch_reason')
        batch.drop_column('delivery_date')
    with op.batch_alter_table('supplier') as batch:
        batch.drop_column('price_basis')
    op.drop_index(op.f('ix_sheet_mapping_supplier_id'), table_name='sheet_mapping')
    op.drop_table('sheet_mapping')
