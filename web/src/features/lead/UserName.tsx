import { Typography } from 'antd';
import { useMe } from '@/features/auth/hooks';
import { useUser } from '@/features/user/hooks';
import { useI18n } from '@/i18n';

/**
 * A user's display name from their id (leads and activities carry only `owner_id`). Each id is
 * fetched once and cached, so a page of one rep's records costs a single request.
 */
export function UserName({ id }: { id: string | null | undefined }) {
  const { t } = useI18n();
  const { data: me } = useMe();
  const isMe = Boolean(id && me && id === me.user.id);
  const user = useUser(id && !isMe ? id : null);
  if (!id) return <Typography.Text type="secondary">{t('account.noOwner')}</Typography.Text>;
  if (isMe && me) return <span>{me.user.display_name}</span>;
  if (user.data) return <span>{user.data.display_name}</span>;
  return <Typography.Text type="secondary">{user.isError ? t('common.none') : '…'}</Typography.Text>;
}
