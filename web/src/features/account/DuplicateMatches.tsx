import { EyeInvisibleOutlined, LinkOutlined } from '@ant-design/icons';
import { Alert, Button, List, Space, Tag, Typography } from 'antd';
import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import type { DuplicateMatch } from '@/api/types';
import { useI18n } from '@/i18n';

const REASON_COLORS: Record<string, string> = {
  uscc: 'red',
  name_exact: 'volcano',
  name_fuzzy: 'orange',
  contact_phone: 'purple',
  contact_email: 'purple',
};

export function DuplicateReasonTag({ match }: { match: Pick<DuplicateMatch, 'reason' | 'score'> }) {
  const { td } = useI18n();
  return (
    <Tag color={REASON_COLORS[match.reason] ?? 'orange'} bordered={false}>
      {td(`account.dupReason.${match.reason}`, match.reason, { score: match.score })}
    </Tag>
  );
}

interface Props {
  matches: readonly DuplicateMatch[];
  /** `warning` while typing, `error` after the server refused the create. */
  type?: 'warning' | 'error';
  title: ReactNode;
  /** Extra text under the title (what to do next). */
  hint?: ReactNode;
  /** Offers “use this customer” on matches the caller can see (lead conversion). */
  onPick?: (match: DuplicateMatch) => void;
  /** Offers “claim” (报备) on a match the caller cannot see; only exact matches can be looked up. */
  onClaimHidden?: (match: DuplicateMatch) => void;
  /** Opens visible matches in a new tab (keeps a half-filled form). */
  openInNewTab?: boolean;
  testId?: string;
  action?: ReactNode;
}

/**
 * Suspected duplicates of a customer being entered. A match the caller may see shows its name,
 * owner and unit; one they may not see says only that it exists in another subsidiary, with
 * the owner hidden (the server sends nothing more).
 */
export function DuplicateMatches({ matches, type = 'warning', title, hint, onPick, onClaimHidden, openInNewTab, testId, action }: Props) {
  const { t } = useI18n();
  return (
    <Alert
      type={type}
      showIcon
      data-testid={testId}
      style={{ marginBottom: 16 }}
      message={title}
      action={action}
      description={
        <>
          {hint ? <div style={{ marginBottom: 8 }}>{hint}</div> : null}
          <List
            size="small"
            dataSource={[...matches]}
            rowKey={(m) => m.id ?? `${m.subsidiary_name}-${m.reason}-${m.score}`}
            className="duplicate-list"
            renderItem={(m) => (
              <List.Item
                data-testid="duplicate-match"
                actions={[
                  m.visible && m.id && onPick ? (
                    <Button key="pick" size="small" onClick={() => onPick(m)}>
                      {t('account.useThis')}
                    </Button>
                  ) : null,
                  !m.visible && onClaimHidden && (m.reason === 'uscc' || m.reason === 'name_exact') ? (
                    <Button key="claim" size="small" onClick={() => onClaimHidden(m)}>
                      {t('account.claimExisting')}
                    </Button>
                  ) : null,
                ].filter(Boolean)}
              >
                <Space direction="vertical" size={0} style={{ minWidth: 0 }}>
                  <Space wrap size={6}>
                    {m.visible && m.id ? (
                      <Link to={`/accounts/${m.id}`} target={openInNewTab ? '_blank' : undefined}>
                        <Typography.Text strong>{m.name}</Typography.Text> {openInNewTab ? <LinkOutlined /> : null}
                      </Link>
                    ) : (
                      <Typography.Text strong>
                        <EyeInvisibleOutlined /> {t('account.hiddenMatch')}
                      </Typography.Text>
                    )}
                    <DuplicateReasonTag match={m} />
                  </Space>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {m.visible
                      ? [m.subsidiary_name, m.unit_name, m.owner_name ? t('account.ownerIs', { name: m.owner_name }) : t('account.noOwner')]
                          .filter(Boolean)
                          .join(' · ')
                      : [m.subsidiary_name, m.message ?? t('account.hiddenMatchHint')].join(' · ')}
                  </Typography.Text>
                  {m.visible && m.uscc ? (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {t('account.uscc')}：{m.uscc}
                    </Typography.Text>
                  ) : null}
                </Space>
              </List.Item>
            )}
          />
        </>
      }
    />
  );
}
