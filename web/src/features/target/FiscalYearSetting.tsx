import { SettingOutlined } from '@ant-design/icons';
import { App, Button, Modal, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import { isApiError } from '@/api/errors';
import { useAccess } from '@/features/auth/hooks';
import { useOrgUnits } from '@/features/org/hooks';
import { useI18n } from '@/i18n';
import { useFiscalYear, useSetFiscalYear } from './hooks';

const MONTHS = Array.from({ length: 12 }, (_, i) => i + 1);

/**
 * The fiscal year's first month (a group setting): shown to everyone, changeable by a group
 * administrator (org.admin over the group root). The server has the last word: a 403 or a
 * 409 (targets already set on fiscal quarters) is shown as it says.
 */
export function FiscalYearSetting() {
  const { t, td } = useI18n();
  const { message } = App.useApp();
  const { can } = useAccess();
  const { units } = useOrgUnits();
  const fiscal = useFiscalYear();
  const save = useSetFiscalYear();
  const [open, setOpen] = useState(false);
  const [month, setMonth] = useState<number>(1);
  const current = fiscal.data?.start_month ?? 1;
  const seesRoot = units.some((u) => u.parent_id === null && u.kind === 'group');
  const mayChange = can('org.admin') && seesRoot;

  const submit = async () => {
    try {
      await save.mutateAsync(month);
      message.success(t('target.fiscal.saved'));
      setOpen(false);
    } catch (error) {
      message.error(isApiError(error) && error.status === 403 ? t('target.fiscal.forbidden') : isApiError(error) ? error.message : t('common.loadFailed'));
    }
  };

  return (
    <Space size={4} data-testid="fiscal-year">
      <Typography.Text type="secondary">{t('target.fiscal.label', { month: td(`target.fiscal.month.${current}`, String(current)) })}</Typography.Text>
      {mayChange ? (
        <>
          <Button
            size="small"
            type="link"
            icon={<SettingOutlined />}
            onClick={() => {
              setMonth(current);
              setOpen(true);
            }}
            data-testid="fiscal-year-edit"
          >
            {t('target.fiscal.change')}
          </Button>
          <Modal open={open} onCancel={() => setOpen(false)} onOk={() => void submit()} confirmLoading={save.isPending} title={t('target.fiscal.title')} destroyOnHidden>
            <Space direction="vertical" style={{ width: '100%' }}>
              <Typography.Text type="secondary">{t('target.fiscal.hint')}</Typography.Text>
              <Select
                value={month}
                onChange={(v: number) => setMonth(v)}
                options={MONTHS.map((m) => ({ value: m, label: td(`target.fiscal.month.${m}`, String(m)) }))}
                style={{ width: 160 }}
                data-testid="fiscal-year-month"
              />
            </Space>
          </Modal>
        </>
      ) : null}
    </Space>
  );
}
