"""case-log: case management — owner, supervisor, referrals, tasks, closure, attachments, merges (issue 13, point 2)

Cases get an owner and a supervisor (NULL: unassigned — cases recorded before this revision stay
so until a supervisor assigns them); users get the supervisor flag; referrals with their status
history, follow-up tasks, the digest's once-a-day record, closure requests and encrypted
attachments get their tables. A database whose lists are already seeded gets the two new lists
(`referral_service`, `closure_reason`); a fresh one is seeded whole on first use. A duplicate
case merged into another keeps its rows and points to it (merged_into_id, merged_at, merged_by_id).

Revision ID: d4e5f6a7b8c9
Revises: c3d4e5f6a7b8
Create Date: 2026-12-06 03:20:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'd4e5f6a7b8c9'
down_revision = 'c3d4e5f6a7b8'
branch_labels = None
depends_on = None

lookups = sa.table('caselog_lookups', sa.column('id', sa.Integer), sa.column('kind', sa.String),
                   sa.column('code', sa.String), sa.column('label', sa.String),
                   sa.column('grouping', sa.String), sa.column('position', sa.Integer),
                   sa.column('active', sa.Boolean))

NEW_LISTS = {
    'referral_service': [
        ('uptd_ppa', 'UPTD PPA'), ('puskesmas_rs', 'Puskesmas/RS'), ('polres', 'Polres (Unit PPA)'),
        ('bantuan_hukum', 'Bantuan hukum (LBH/Posbakum)'), ('rumah_aman', 'Rumah aman'),
        ('dinas_sosial', 'Dinas Sosial'), ('psikolog', 'Psikolog'),
    ],
    'closure_reason': [
        ('selesai_ditangani', 'Selesai ditangani'),
        ('dirujuk_tuntas', 'Dirujuk dan tuntas di lembaga rujukan'),
        ('korban_menolak_layanan', 'Korban menolak layanan'),
        ('tidak_dapat_dihubungi', 'Korban tidak dapat dihubungi'),
        ('pindah_domisili', 'Korban pindah domisili'), ('lainnya', 'Lainnya'),
    ],
}


def _user_fk(table, column):
    return sa.ForeignKeyConstraint([column], ['users.id'], name=op.f(f'fk_{table}_{column}_users'))


def _case_fk(table):
    return sa.ForeignKeyConstraint(['case_id'], ['caselog_cases.id'],
                                   name=op.f(f'fk_{table}_case_id_caselog_cases'), ondelete='CASCADE')


def _index(table, name, columns):
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(name), columns, unique=False)


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_supervisor', sa.Boolean(), server_default='0', nullable=False))

    with op.batch_alter_table('caselog_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('supervisor_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_caselog_cases_owner_id'), ['owner_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_caselog_cases_owner_id_users'), 'users', ['owner_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_caselog_cases_supervisor_id_users'), 'users',
                                    ['supervisor_id'], ['id'])
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('merged_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('merged_by_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_caselog_cases_merged_into_id'), ['merged_into_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_caselog_cases_merged_into_id_caselog_cases'), 'caselog_cases',
                                    ['merged_into_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_caselog_cases_merged_by_id_users'), 'users',
                                    ['merged_by_id'], ['id'])

    op.create_table('caselog_referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('victim_id', sa.Integer(), nullable=True),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('institution', sa.String(length=160), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('status_on', sa.Date(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    _case_fk('caselog_referrals'),
    sa.ForeignKeyConstraint(['victim_id'], ['caselog_victims.id'],
                            name=op.f('fk_caselog_referrals_victim_id_caselog_victims'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['service_id'], ['caselog_lookups.id'],
                            name=op.f('fk_caselog_referrals_service_id_caselog_lookups')),
    _user_fk('caselog_referrals', 'created_by_id'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_caselog_referrals'))
    )
    _index('caselog_referrals', 'ix_caselog_referrals_case_id', ['case_id'])

    op.create_table('caselog_referral_status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['referral_id'], ['caselog_referrals.id'],
                            name=op.f('fk_caselog_referral_status_changes_referral_id_caselog_referrals'),
                            ondelete='CASCADE'),
    _user_fk('caselog_referral_status_changes', 'changed_by_id'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_caselog_referral_status_changes'))
    )
    _index('caselog_referral_status_changes', 'ix_caselog_referral_status_changes_referral_id', ['referral_id'])

    op.create_table('caselog_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    _case_fk('caselog_tasks'),
    _user_fk('caselog_tasks', 'assignee_id'),
    _user_fk('caselog_tasks', 'done_by_id'),
    _user_fk('caselog_tasks', 'created_by_id'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_caselog_tasks'))
    )
    _index('caselog_tasks', 'ix_caselog_tasks_case_id', ['case_id'])
    _index('caselog_tasks', 'ix_caselog_tasks_assignee_open', ['assignee_id', 'done_at', 'due_date'])

    op.create_table('caselog_task_digests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('task_count', sa.Integer(), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_caselog_task_digests_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_caselog_task_digests')),
    sa.UniqueConstraint('user_id', 'day', name=op.f('uq_caselog_task_digests_user_id_day'))
    )

    op.create_table('caselog_closure_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('reason_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    _case_fk('caselog_closure_requests'),
    sa.ForeignKeyConstraint(['reason_id'], ['caselog_lookups.id'],
                            name=op.f('fk_caselog_closure_requests_reason_id_caselog_lookups')),
    _user_fk('caselog_closure_requests', 'requested_by_id'),
    _user_fk('caselog_closure_requests', 'decided_by_id'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_caselog_closure_requests'))
    )
    _index('caselog_closure_requests', 'ix_caselog_closure_requests_case_id', ['case_id'])

    op.create_table('caselog_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('filename', sa.Text(), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    _case_fk('caselog_attachments'),
    _user_fk('caselog_attachments', 'uploaded_by_id'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_caselog_attachments'))
    )
    _index('caselog_attachments', 'ix_caselog_attachments_case_id', ['case_id'])

    bind = op.get_bind()
    if bind.execute(sa.select(lookups.c.id).limit(1)).first() is not None:  # seeded already
        existing = {(k, c) for k, c in bind.execute(sa.select(lookups.c.kind, lookups.c.code))}
        for kind, entries in NEW_LISTS.items():
            for position, (code, label) in enumerate(entries, start=1):
                if (kind, code) not in existing:
                    bind.execute(lookups.insert().values(kind=kind, code=code, label=label, grouping=None,
                                                         position=position * 10, active=True))


def downgrade():
    bind = op.get_bind()
    for table in ('caselog_attachments', 'caselog_closure_requests', 'caselog_task_digests',
                  'caselog_tasks', 'caselog_referral_status_changes', 'caselog_referrals'):
        op.drop_table(table)
    bind.execute(lookups.delete().where(lookups.c.kind.in_(tuple(NEW_LISTS))))

    with op.batch_alter_table('caselog_cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_caselog_cases_merged_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_caselog_cases_merged_into_id_caselog_cases'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_caselog_cases_merged_into_id'))
        batch_op.drop_column('merged_by_id')
        batch_op.drop_column('merged_at')
        batch_op.drop_column('merged_into_id')
        batch_op.drop_constraint(batch_op.f('fk_caselog_cases_supervisor_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_caselog_cases_owner_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_caselog_cases_owner_id'))
        batch_op.drop_column('supervisor_id')
        batch_op.drop_column('owner_id')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('case_supervisor')
