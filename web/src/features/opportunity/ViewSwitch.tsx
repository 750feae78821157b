import { AppstoreOutlined, UnorderedListOutlined } from '@ant-design/icons';
import { Segmented } from 'antd';
import { useLocation, useNavigate } from 'react-router-dom';
import { useI18n } from '@/i18n';

/** Kanban ⇄ list, keeping the filters in the URL. */
export function ViewSwitch({ view }: { view: 'board' | 'list' }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const { search } = useLocation();
  return (
    <Segmented
      data-testid="opp-view-switch"
      value={view}
      onChange={(v) => navigate(`${v === 'list' ? '/opportunities/list' : '/opportunities'}${search}`)}
      options={[
        { value: 'board', label: t('opp.viewBoard'), icon: <AppstoreOutlined /> },
        { value: 'list', label: t('opp.viewList'), icon: <UnorderedListOutlined /> },
      ]}
    />
  );
}
