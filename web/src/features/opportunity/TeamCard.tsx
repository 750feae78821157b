import { CrownOutlined, DeleteOutlined, UserAddOutlined } from '@ant-design/icons';
import { App, Avatar, Button, Card, Flex, List, Popconfirm, Select, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { isApiError } from '@/api/errors';
import type { MemberRole, OpportunityDetail } from '@/api/types';
import { useI18n } from '@/i18n';
import { useAddMember, useRemoveMember } from './hooks';
import { MEMBER_ROLES, ROLE_COLORS, roleLabel } from './labels';
import { UserPicker } from './UserPicker';

/** The deal team (铁三角): the owner, then AR / SR / FR members; add and remove. */
export function TeamCard({ deal, canWrite, highlight }: { deal: OpportunityDetail; canWrite: boolean; highlight?: boolean }) {
  const { t, td } = useI18n();
  const { message } = App.useApp();
  const add = useAddMember(deal.id);
  const remove = useRemoveMember(deal.id);
  const [userId, setUserId] = useState<string | null>(null);
  const [role, setRole] = useState<MemberRole>('SR');

  const onAdd = () => {
    if (!userId) return;
    add.mutate(
      { user_id: userId, role },
      {
        onSuccess: () => {
          message.success(t('opp.team.added'));
          setUserId(null);
        },
        onError: (e) => message.error(isApiError(e) ? (e.fields[0]?.message ?? e.message) : String(e)),
      },
    );
  };

  return (
    <Card
      size="small"
      id="opp-section-team"
      className={highlight ? 'opp-section-flash' : undefined}
      title={t('opp.team.title')}
      data-testid="opp-team"
    >
      <List size="small">
        <List.Item>
          <List.Item.Meta
            avatar={<Avatar size="small" style={{ backgroundColor: '#1d4ed8' }} icon={<CrownOutlined />} />}
            title={deal.owner_name ?? t('common.none')}
            description={t('opp.owner')}
          />
        </List.Item>
        {deal.members.map((m) => (
          <List.Item
            key={m.id}
            data-testid="team-member"
            actions={
              canWrite
                ? [
                    <Popconfirm
                      key="remove"
                      title={t('opp.team.removeConfirm')}
                      okText={t('common.delete')}
                      cancelText={t('common.cancel')}
                      onConfirm={() =>
                        remove.mutateAsync(m.user_id).then(
                          () => message.success(t('common.deleted')),
                          (e: unknown) => message.error(isApiError(e) ? e.message : String(e)),
                        )
                      }
                    >
                      <Tooltip title={t('common.delete')}>
                        <Button type="text" size="small" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} />
                      </Tooltip>
                    </Popconfirm>,
                  ]
                : undefined
            }
          >
            <List.Item.Meta
              avatar={<Avatar size="small">{(m.display_name ?? '?').slice(0, 1)}</Avatar>}
              title={
                <Flex gap={6} align="center" wrap="wrap">
                  <span>{m.display_name ?? t('common.none')}</span>
                  <Tag color={ROLE_COLORS[m.role]} bordered={false}>
                    {m.role} · {roleLabel(td, m.role)}
                  </Tag>
                </Flex>
              }
            />
          </List.Item>
        ))}
      </List>
      {deal.members.length === 0 ? (
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '4px 0 8px' }}>
          {t('opp.team.empty')}
        </Typography.Paragraph>
      ) : null}
      {canWrite ? (
        <Flex gap={8} wrap="wrap" style={{ marginTop: 8 }}>
          <UserPicker value={userId} onChange={setUserId} placeholder={t('opp.team.pickUser')} style={{ flex: '1 1 160px' }} data-testid="team-user" />
          <Select<MemberRole>
            value={role}
            onChange={setRole}
            options={MEMBER_ROLES.map((r) => ({ value: r, label: `${r} · ${roleLabel(td, r)}` }))}
            style={{ width: 150 }}
            popupMatchSelectWidth={false}
            data-testid="team-role"
          />
          <Button icon={<UserAddOutlined />} disabled={!userId} loading={add.isPending} onClick={onAdd} data-testid="team-add">
            {t('common.add')}
          </Button>
        </Flex>
      ) : null}
    </Card>
  );
}
