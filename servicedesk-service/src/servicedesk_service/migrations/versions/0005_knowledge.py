"""Knowledge articles and their search index of terms.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

from portal_shared.db import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "knowledge_articles",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("models", sa.JSON(), nullable=False),
        sa.Column("title_length", sa.Integer(), nullable=False),
        sa.Column("tags_length", sa.Integer(), nullable=False),
        sa.Column("body_length", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_knowledge_articles"),
        sa.UniqueConstraint("title", name="uq_knowledge_articles_title"),
    )
    op.create_table(
        "knowledge_terms",
        sa.Column("article_id", sa.Uuid(), nullable=False),
        sa.Column("term", sa.String(64), nullable=False),
        sa.Column("field", sa.String(8), nullable=False),
        sa.Column("frequency", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("article_id", "term", "field", name="pk_knowledge_terms"),
        sa.ForeignKeyConstraint(["article_id"], ["knowledge_articles.id"],
                                name="fk_knowledge_terms_article_id_knowledge_articles", ondelete="CASCADE"),
        sa.CheckConstraint("field IN ('title', 'tags', 'body')", name="ck_knowledge_terms_field"),
        sa.CheckConstraint("frequency > 0", name="ck_knowledge_terms_frequency_positive"),
    )
    # Search looks postings up by term.
    op.create_index("ix_knowledge_terms_term", "knowledge_terms", ["term"])


def downgrade() -> None:
    op.drop_index("ix_knowledge_terms_term", table_name="knowledge_terms")
    op.drop_table("knowledge_terms")
    op.drop_table("knowledge_articles")
