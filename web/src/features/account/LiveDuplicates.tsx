import { CheckCircleOutlined, LoadingOutlined } from '@ant-design/icons';
import { Typography } from 'antd';
import type { DuplicateMatch } from '@/api/types';
import { useDebounced } from '@/components/useDebounced';
import { useI18n } from '@/i18n';
import { DuplicateMatches } from './DuplicateMatches';
import { type DuplicateProbe, probeIsUseful, useDuplicates } from './hooks';

interface Props {
  probe: DuplicateProbe;
  onPick?: (match: DuplicateMatch) => void;
  onClaimHidden?: (match: DuplicateMatch) => void;
  /** Stops checking (e.g. while the server's own refusal is on screen). */
  paused?: boolean;
}

/** Suspected duplicates of what is being typed, checked group-wide as the user types. */
export function LiveDuplicates({ probe, onPick, onClaimHidden, paused }: Props) {
  const { t } = useI18n();
  const debounced = useDebounced(probe, 400);
  const useful = probeIsUseful(debounced);
  const check = useDuplicates(debounced, !paused);
  if (paused || !useful) return <div style={{ minHeight: 8 }} />;
  const typing = JSON.stringify(debounced) !== JSON.stringify(probe);
  const matches = check.data?.matches ?? [];
  if (matches.length > 0) {
    return (
      <DuplicateMatches
        testId="duplicate-warning"
        matches={matches}
        title={t('account.duplicatesFound', { count: matches.length })}
        hint={t('account.duplicatesHint')}
        onPick={onPick}
        onClaimHidden={onClaimHidden}
        openInNewTab={!onPick}
      />
    );
  }
  return (
    <div style={{ minHeight: 22, marginBottom: 16 }}>
      {check.isFetching || typing ? (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          <LoadingOutlined /> {t('account.checkingDuplicates')}
        </Typography.Text>
      ) : check.isSuccess ? (
        <Typography.Text type="success" style={{ fontSize: 12 }} data-testid="duplicate-clear">
          <CheckCircleOutlined /> {t('account.noDuplicates')}
        </Typography.Text>
      ) : null}
    </div>
  );
}
