import { FilterOutlined } from '@ant-design/icons';
import { Badge, Button, Grid } from 'antd';
import { type ReactNode, useState } from 'react';
import { useI18n } from '@/i18n';

/**
 * Secondary filters of a list. On a phone they fold behind one “筛选” button (with the number of
 * filters in use) so the list starts on the first screen; on wider screens they show inline.
 */
export function MoreFilters({ active, children }: { active: number; children: ReactNode }) {
  const { t } = useI18n();
  const screens = Grid.useBreakpoint();
  const [open, setOpen] = useState(false);
  const phone = !screens.md;
  if (!phone) return <>{children}</>;
  return (
    <>
      <Button icon={<FilterOutlined />} onClick={() => setOpen((o) => !o)} type={open ? 'primary' : 'default'} ghost={open} data-testid="more-filters">
        <Badge count={active} size="small" offset={[6, -4]}>
          <span>{t('account.filters')}</span>
        </Badge>
      </Button>
      {open ? children : null}
    </>
  );
}
