"""Offers found from a skill: the index a posted request's part of the problem reads (issue 15)

``matching_problem.build_for_need`` looks for the open offers that have every
skill of a request; the primary key (offer, skill) only serves offer → skills.

Revision ID: 5e2b8c1f4a70
Revises: 7a4e91c2d5b3
Create Date: 2026-12-05 15:25:00

"""
from alembic import op


revision = '5e2b8c1f4a70'
down_revision = '7a4e91c2d5b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_offer_skills_skill_id', 'offer_skills', ['skill_id', 'offer_id'])


def downgrade():
    op.drop_index('ix_offer_skills_skill_id', table_name='offer_skills')
