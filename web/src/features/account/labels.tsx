import { Tag, Tooltip } from 'antd';
import dayjs from 'dayjs';
import type { Account } from '@/api/types';
import { useI18n } from '@/i18n';

export const TIERS = ['strategic', 'key_account', 'smb'] as const;
export const VALUE_CLASSES = ['A', 'B', 'C'] as const;
export const ACCOUNT_STATUSES = ['owned', 'pool'] as const;

const TIER_COLORS: Record<string, string> = { strategic: 'magenta', key_account: 'geekblue', smb: 'default' };
const CLASS_COLORS: Record<string, string> = { A: 'gold', B: 'cyan', C: 'default' };

export function TierTag({ tier }: { tier: string }) {
  const { td } = useI18n();
  return (
    <Tag color={TIER_COLORS[tier] ?? 'default'} bordered={false}>
      {td(`account.tier.${tier}`, tier)}
    </Tag>
  );
}

export function ValueClassTag({ value }: { value: string }) {
  const { td } = useI18n();
  return (
    <Tooltip title={td(`account.valueClass.${value}.desc`, '')}>
      <Tag color={CLASS_COLORS[value] ?? 'default'} bordered={false}>
        {td(`account.valueClass.${value}`, value)}
      </Tag>
    </Tooltip>
  );
}

/** Where the account stands: in the pool, protected (报备保护期内), or owned without protection. */
export function ProtectionTag({ account }: { account: Pick<Account, 'status' | 'is_protected' | 'claim'> }) {
  const { t } = useI18n();
  if (account.status === 'pool') return <Tag color="orange">{t('account.status.pool')}</Tag>;
  if (account.is_protected && account.claim) {
    return (
      <Tooltip title={t('account.protectedUntilFull', { date: dayjs(account.claim.protected_until).format('YYYY-MM-DD HH:mm') })}>
        <Tag color="green" data-testid="account-protected">
          {t('account.protectedUntil', { date: dayjs(account.claim.protected_until).format('YYYY-MM-DD') })}
        </Tag>
      </Tooltip>
    );
  }
  if (account.claim) {
    return (
      <Tooltip title={t('account.protectionExpiredHint')}>
        <Tag color="default">{t('account.protectionExpired')}</Tag>
      </Tooltip>
    );
  }
  return <Tag>{t('account.status.owned')}</Tag>;
}
