"""The skills a request of a category asks for by default (issue 11, asking for help)

A family chooses a kind of help; the skills follow from it unless the family
changes them. The administrator ticks them on the category's page.

Revision ID: b7d3e0a91c62
Revises: 5e2b8c1f4a70
Create Date: 2026-12-05 17:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7d3e0a91c62'
down_revision = '5e2b8c1f4a70'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'category_default_skills',
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.Column('skill_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['category_id'], ['categories.id'],
                                name=op.f('fk_category_default_skills_category_id_categories'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['skill_id'], ['skills.id'],
                                name=op.f('fk_category_default_skills_skill_id_skills'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('category_id', 'skill_id',
                                name=op.f('pk_category_default_skills')),
    )


def downgrade():
    op.drop_table('category_default_skills')
